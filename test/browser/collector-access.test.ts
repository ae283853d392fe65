// A hostile page in real Chromium tries to read a running collector: from
// another origin on the same machine, from a foreign site, and from a
// foreign name that resolves to 127.0.0.1 (DNS rebinding). It reads nothing,
// even when it knows the token; a browser SDK on any origin still sends.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { launchChromium } from './harness.js';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

let collector: Collector;
let hostile: Server;
let hostilePort = 0;
let browser: Browser;
let attachmentId = '';
const SECRET = 'secret-crash-payload';
const eventId = 'e'.repeat(32);

beforeAll(async () => {
  collector = await startCollector({ port: 0, log: () => {} });
  const head = [
    JSON.stringify({ event_id: eventId }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify({ event_id: eventId, level: 'fatal', message: SECRET, release: 'r@1' }),
    JSON.stringify({ type: 'attachment', length: 10, filename: 'x.dmp', attachment_type: 'event.minidump' }),
    'MDMPsecret',
  ].join('\n');
  const res = await fetch(`${collector.url}/api/1/envelope/?sentry_key=${new URL(collector.dsn).username}`, { method: 'POST', body: head });
  expect(res.status).toBe(200);
  attachmentId = collector.items({ type: 'attachment' })[0]!.attachment!.path.split('/').pop()!;

  // The attacker's page: a blank document; the test runs its scripts.
  hostile = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>evil</title><p>hello'));
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  hostilePort = (hostile.address() as AddressInfo).port;
  // evil.test and rebind.test resolve to loopback, as an attacker's DNS would make them.
  browser = await launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1, MAP rebind.test 127.0.0.1']);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => hostile?.close(resolve));
  await collector?.close();
});

/** In the page: tries every read the attacker can think of; returns what each attempt could see. */
async function attempts(origin: string, target: string): Promise<Record<string, string>> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(
      async ({ target, token, attachmentId }) => {
        const out: Record<string, string> = {};
        const routes: Record<string, string> = {
          items: `${target}/api/0/crashfree/items?project=1`,
          attachment: `${target}/api/0/crashfree/attachments/${attachmentId}`,
          sessions: `${target}/api/0/organizations/o/sessions/?field=sum(session)&statsPeriod=1h`,
          crashes: `${target}/api/0/organizations/o/crashfree/crashes/`,
          deploys: `${target}/api/0/organizations/o/releases/r@1/deploys/`,
          page: `${target}/`,
        };
        const show = async (p: Promise<Response>) => {
          try {
            const r = await p;
            return `status ${r.status}: ${(await r.text()).slice(0, 300)}`;
          } catch (e) {
            return `blocked (${String(e)})`;
          }
        };
        for (const [name, url] of Object.entries(routes)) {
          out[`${name} plain`] = await show(fetch(url));
          out[`${name} with cookies`] = await show(fetch(url, { credentials: 'include' }));
          // Even an attacker who learnt the token cannot use it from a browser page.
          out[`${name} with token`] = await show(fetch(url, { headers: { Authorization: `Bearer ${token}` } }));
        }
        out['xhr items'] = await new Promise((resolve) => {
          const xhr = new XMLHttpRequest();
          xhr.open('GET', routes.items as string);
          xhr.onload = () => resolve(`status ${xhr.status}: ${xhr.responseText.slice(0, 300)}`);
          xhr.onerror = () => resolve('blocked');
          xhr.send();
        });
        // An iframe of the page (which embeds the token for loopback): refused to frame, and unreadable anyway.
        out['iframe'] = await new Promise((resolve) => {
          const frame = document.createElement('iframe');
          frame.src = routes.page as string;
          frame.onload = () => {
            try {
              resolve(`read: ${frame.contentDocument?.documentElement?.outerHTML?.slice(0, 300) ?? 'nothing'}`);
            } catch (e) {
              resolve(`blocked (${String(e)})`);
            }
          };
          document.body.appendChild(frame);
          setTimeout(() => resolve('no load'), 3000);
        });
        return out;
      },
      { target, token: collector.token, attachmentId },
    );
  } finally {
    await page.close();
  }
}

function leaks(seen: Record<string, string>): string[] {
  return Object.entries(seen)
    .filter(([, v]) => v.includes(SECRET) || v.includes('MDMPsecret') || v.includes(collector.token) || v.includes('"items"'))
    .map(([k, v]) => `${k}: ${v}`);
}

describe('a hostile page in Chromium reads nothing from the collector', () => {
  it('from another origin on this machine (127.0.0.1, another port)', async () => {
    const seen = await attempts(`http://127.0.0.1:${hostilePort}`, collector.url);
    expect(leaks(seen)).toEqual([]);
    expect(seen['items plain']).toMatch(/^blocked/);
    expect(seen['items with token']).toMatch(/^blocked/);
  });

  it('from a foreign site', async () => {
    const seen = await attempts(`http://evil.test:${hostilePort}`, collector.url);
    expect(leaks(seen)).toEqual([]);
    expect(seen['attachment with token']).toMatch(/^blocked/);
  });

  it('from a foreign name rebound to 127.0.0.1 (same origin as far as the browser knows)', async () => {
    // The attacker's page is served from rebind.test:<collector port>: then
    // its DNS answer changes to 127.0.0.1 and the collector's port is "same
    // origin". Here the name maps to loopback from the start, so even the
    // first load hits the collector, which refuses the foreign Host.
    const page = await browser.newPage();
    const rebound = collector.url.replace('127.0.0.1', 'rebind.test');
    const first = await page.goto(`${rebound}/`);
    expect(first?.status()).toBe(403);
    expect(await page.content()).not.toContain(collector.token);
    // The attacker's script, now same-origin with the collector, reads every route.
    const sameOrigin = await page.evaluate(async ({ token, attachmentId }) => {
      const out: string[] = [];
      for (const path of ['/api/0/crashfree/items?project=1', `/api/0/crashfree/attachments/${attachmentId}`, '/api/0/organizations/o/crashfree/crashes/', '/']) {
        for (const headers of [{}, { Authorization: `Bearer ${token}` }]) {
          const r = await fetch(path, { headers });
          out.push(`${path} ${r.status} ${await r.text()}`);
        }
      }
      return out;
    }, { token: collector.token, attachmentId });
    expect(sameOrigin.map((line) => line.split(' ')[1])).toEqual(Array(8).fill('403'));
    expect(sameOrigin.filter((line) => line.includes(SECRET) || line.includes('MDMPsecret') || line.includes('crashfree-token'))).toEqual([]);
    await page.close();
    const seen = await attempts(`http://evil.test:${hostilePort}`, rebound);
    expect(leaks(seen)).toEqual([]);
  });

  it('while a browser SDK on any origin still sends to the ingest route', async () => {
    const page = await browser.newPage();
    await page.goto(`http://evil.test:${hostilePort}/`);
    const status = await page.evaluate(async (dsn) => {
      const u = new URL(dsn);
      const id = 'f'.repeat(32);
      const body = `${JSON.stringify({ event_id: id })}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify({ event_id: id, message: 'from a page' })}\n`;
      const r = await fetch(`${u.protocol}//${u.host}/api/1/envelope/?sentry_key=${u.username}`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-sentry-envelope' } });
      return `${r.status} ${await r.text()}`;
    }, collector.dsn);
    await page.close();
    expect(status).toBe(`200 {"id":"${'f'.repeat(32)}"}`);
    expect(collector.items({ type: 'event' }).map((i) => (i.payload as { message: string }).message)).toContain('from a page');
  });

  it("and the collector's own page, opened from loopback, still reads with one click", async () => {
    const page = await browser.newPage();
    await page.goto(`${collector.url}/`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    expect(await page.textContent('#crashes')).toContain(SECRET);
    // The attachment link downloads through the page's token, not a bare link.
    const download = page.waitForEvent('download');
    await page.click('a.attachment');
    const file = await (await download).path();
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(file!)).toString()).toBe('MDMPsecret');
    await page.close();
  });
});

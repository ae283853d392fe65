import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { sendEnvelope, sendSessions, type SessionSpec } from './envelopes.js';

const ARTEFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const MINUTE = 60_000;

let collector: Collector;
let dataDir: string;
let browser: Browser;
const eventId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** `total` sessions per minute over the last `minutes` minutes; `crashEvery` > 0 crashes one in N. */
function traffic(release: string, minutes: number, perMinute: number, crashEvery: number, offset = 0): SessionSpec[] {
  const specs: SessionSpec[] = [];
  const now = Date.now();
  for (let m = 0; m < minutes; m++) {
    for (let i = 0; i < perMinute; i++) {
      const n = m * perMinute + i;
      specs.push({
        sid: `${release}-${n}`,
        did: `user-${(n + offset) % 400}`,
        release,
        started: new Date(now - (minutes - m + offset) * MINUTE),
        end: crashEvery > 0 && n % crashEvery === 0 ? 'crashed' : 'exited',
      });
    }
  }
  return specs;
}

async function sendCrashWithMinidump(): Promise<void> {
  const event = {
    event_id: eventId,
    level: 'fatal',
    release: '1.1.0',
    environment: 'production',
    platform: 'node',
    exception: { values: [{ type: 'SIGSEGV', value: 'Segmentation fault in crasher.node', mechanism: { type: 'signalhandler', handled: false } }] },
  };
  const dump = Buffer.concat([Buffer.from('MDMP'), Buffer.alloc(60, 7)]);
  const head = [
    JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString(), sdk: { name: 'crashfree.node', version: '0.1.0' } }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify(event),
    JSON.stringify({ type: 'attachment', length: dump.length, filename: 'crash.dmp', attachment_type: 'event.minidump' }),
  ].join('\n');
  await sendEnvelope(collector.dsn, Buffer.concat([Buffer.from(`${head}\n`), dump, Buffer.from('\n')]) as unknown as string);
}

async function postDeploy(version: string, dateFinished: Date): Promise<void> {
  const res = await fetch(`${collector.url}/api/0/organizations/crashfree/releases/${version}/deploys/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${collector.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ environment: 'production', dateFinished: dateFinished.toISOString() }),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rh-page-'));
  // crashfree.test stands for the LAN name of a collector: allowed by name.
  collector = await startCollector({ port: 0, dataDir, allowedHosts: ['crashfree.test'] });
  await sendSessions(collector.dsn, traffic('1.0.0', 10, 50, 500, 5)); // 500 sessions, 1 crash
  await sendSessions(collector.dsn, traffic('1.1.0', 5, 50, 50)); // 250 sessions, 5 crashes
  await postDeploy('1.0.0', new Date(Date.now() - 15 * MINUTE));
  await postDeploy('1.1.0', new Date(Date.now() - 5 * MINUTE));
  await sendCrashWithMinidump();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // crashfree.test resolves to loopback, as a remote name for the collector would.
    args: ['--host-resolver-rules=MAP crashfree.test 127.0.0.1', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('release-health page in Chromium', () => {
  it('shows releases side by side, charts with deploy markers and threshold, and crashes with attachments', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${collector.url}/?threshold=99.5`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });

    const rows = await page.$$eval('#releases-table tbody tr', (trs) =>
      trs.map((tr) => ({ cls: tr.className, cells: [...tr.querySelectorAll('td')].map((td) => td.childNodes[td.childNodes.length > 1 ? 1 : 0]?.textContent ?? td.textContent) })),
    );
    const text = await page.textContent('#releases-table');
    expect(rows).toHaveLength(2);
    expect(text).toContain('99.80%'); // 1.0.0: 1 crash in 500
    expect(text).toContain('98.00%'); // 1.1.0: 5 crashes in 250
    expect(text).toContain('66.7%'); // 1.0.0 adoption: 500 of 750 sessions
    const byRelease = Object.fromEntries(
      await page.$$eval('#releases-table tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-release'), tr.className])),
    );
    expect(byRelease).toEqual({ '1.0.0': 'above', '1.1.0': 'below' });

    expect(await page.$$eval('#crashfree-chart path.series', (ps) => ps.map((p) => p.getAttribute('data-release')).sort())).toEqual(['1.0.0', '1.1.0']);
    expect(await page.$$eval('#crashfree-chart path.series', (ps) => ps.every((p) => (p.getAttribute('d') ?? '').includes('L')))).toBe(true);
    expect(await page.$$('#crashfree-chart line.threshold')).toHaveLength(1);
    expect(await page.textContent('#crashfree-chart')).toContain('threshold 99.5%');
    expect(await page.$$('#crashfree-chart line.deploy-marker')).toHaveLength(2);
    expect(await page.$$('#adoption-chart path.series')).toHaveLength(2);

    const crash = await page.textContent(`li.crash[data-event-id="${eventId}"]`);
    expect(crash).toContain('SIGSEGV: Segmentation fault in crasher.node');
    expect(crash).toContain('release 1.1.0');
    const href = await page.getAttribute('li.crash a.attachment', 'href');
    expect(href).toMatch(/^\/api\/0\/crashfree\/attachments\/[0-9a-f]{32}$/);
    expect((await fetch(`${collector.url}${href}`)).status).toBe(401); // a read like any other
    const dump = Buffer.from(await (await fetch(`${collector.url}${href}`, { headers: { Authorization: `Bearer ${collector.token}` } })).arrayBuffer());
    expect(dump.subarray(0, 4).toString()).toBe('MDMP');
    expect(dump.length).toBe(64);

    // The newest release's issues: the crash is one issue, new in 1.1.0, all of it on node.
    await page.waitForSelector('li.issue', { timeout: 20_000 });
    expect(await page.textContent('#issues-title')).toBe('Issues in 1.1.0');
    expect(await page.$$eval('li.issue', (lis) => lis.map((li) => li.getAttribute('data-status')))).toEqual(['new']);
    const issue = await page.textContent('li.issue');
    expect(issue).toContain('SIGSEGV: Segmentation fault in crasher.node');
    expect(issue).toContain('1 crashed session(s)');
    expect(issue).toContain('platform node 100%');
    expect(errors).toEqual([]);

    await mkdir(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTEFACTS, 'release-health-page.png'), fullPage: true });
    await page.close();
  });

  it('embeds the token only for loopback requests to a loopback host name', async () => {
    const local = await (await fetch(`${collector.url}/`)).text();
    expect(local).toContain(`<meta name="crashfree-token" content="${collector.token}">`);
    // A DNS-rebinding page arrives from loopback but names a foreign host.
    const { request } = await import('node:http');
    const foreign = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = request(`${collector.url}/`, { headers: { Host: 'evil.example' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });
    // Not even the page is served to a name the collector does not answer to.
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain(collector.token);
    expect(foreign.body).not.toContain('crashfree-token" content');
  });

  it('asks for the token when it is not embedded, then loads with it', async () => {
    const page = await browser.newPage();
    await page.goto(collector.url.replace('127.0.0.1', 'crashfree.test'));
    await page.waitForSelector('#auth', { state: 'visible', timeout: 20_000 });
    expect(await page.textContent('#summary')).toBe('This page needs the collector token.');
    expect(await page.$('meta[name="crashfree-token"]')).toBeNull();
    await page.fill('#token-input', collector.token);
    await page.click('#auth button');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    expect(await page.$$('#releases-table tbody tr')).toHaveLength(2);
    await page.close();
  });
});

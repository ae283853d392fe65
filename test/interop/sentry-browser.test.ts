// Interop: the official @sentry/browser 11.12.0 in real Chromium (Debian's,
// through playwright-core) on a page served from another loopback origin,
// sending to a real collector: CORS, query-string auth and the fetch
// transport all have to work for anything to arrive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startCollector, type Collector } from '@crashfree/collector';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const ENTRY = fileURLToPath(new URL('./fixtures/sentry-browser-entry.js', import.meta.url));

let collector: Collector;
let dataDir: string;
let browser: Browser;
let pages: Server;
let origin: string;

async function bundleSentryBrowser(): Promise<string> {
  const result = await build({ entryPoints: [ENTRY], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'cf-interop-browser-'));
  collector = await startCollector({ port: 0, dataDir });
  const bundle = await bundleSentryBrowser();
  pages = createServer((req, res) => {
    if (req.url === '/sentry.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (req.url === '/app.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>interop</title><script src="/sentry.js"></script><p>app</p>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (pages ? pages.close(() => r()) : r()));
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

type Payload = Record<string, any>;

describe('interop with @sentry/browser 11.12.0 in Chromium', () => {
  it('stores the page session and a captured error, sent cross-origin with the key in the query string', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await page.goto(`${origin}/app.html`);
    const flushed = await page.evaluate(async (dsn) => {
      const S = (window as any).Sentry;
      S.init({ dsn, release: 'interop-web@2.0.0', environment: 'interop' });
      S.setUser({ id: 'web-user-7' });
      S.captureException(new Error('browser interop error'));
      return S.flush(10_000);
    }, collector.dsn);
    expect(flushed).toBe(true);
    expect(failed).toEqual([]);

    const events = collector.items({ type: 'event' });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({
      release: 'interop-web@2.0.0',
      environment: 'interop',
      platform: 'javascript',
      request: { url: `${origin}/app.html` },
      exception: { values: [{ type: 'Error', value: 'browser interop error' }] },
    });
    expect(events[0]!.envelopeHeaders).toMatchObject({ sdk: { name: 'sentry.javascript.browser', version: '11.12.0' } });

    const sessions = collector.items({ type: 'session' }).map((s) => s.payload as Payload);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    expect(sessions[0]).toMatchObject({ init: true, status: 'ok', attrs: { release: 'interop-web@2.0.0', environment: 'interop' } });
    expect(new Set(sessions.map((s) => s['sid'])).size).toBe(1);
    expect(sessions.at(-1)).toMatchObject({ status: 'ok', errors: 1, did: 'web-user-7' });
    await page.close();
  });

  it('stores an envelope posted with navigator.sendBeacon (text/plain, key in the query string)', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/app.html`);
    const key = new URL(collector.dsn).username;
    const queued = await page.evaluate(
      ({ url, sid }) => {
        const body = [
          JSON.stringify({ sent_at: new Date().toISOString() }),
          JSON.stringify({ type: 'session' }),
          JSON.stringify({ sid, init: false, seq: 3, status: 'abnormal', errors: 0, started: '2026-01-01T00:00:00Z', attrs: { release: 'beacon@1' } }),
        ].join('\n');
        return navigator.sendBeacon(url, body);
      },
      { url: `${collector.url}/api/1/envelope/?sentry_key=${key}&sentry_version=7`, sid: 'be'.repeat(16) },
    );
    expect(queued).toBe(true);
    // A beacon is fire-and-forget: wait (bounded) for it to be stored.
    const deadline = Date.now() + 10_000;
    const beacon = () => collector.items({ type: 'session' }).filter((s) => (s.payload as Payload)['sid'] === 'be'.repeat(16));
    while (beacon().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(beacon().map((s) => s.payload)).toEqual([expect.objectContaining({ status: 'abnormal', seq: 3 })]);
    await page.close();
  });
});

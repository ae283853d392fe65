/**
 * Retry-After from the browser: a real HTTP front on loopback answers the
 * page's first envelope with 429 + Retry-After (readable cross-origin
 * because it is exposed through CORS, as the collector does), then passes
 * everything to the real collector. The page must wait out the limit, send
 * nothing meanwhile, and then deliver the held envelope once.
 */
import { startCollector, type Collector } from '@crashfree/collector';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, startPageServer, waitFor, type PageServer, type SessionUpdate } from './harness.js';

let browser: Browser;
let collector: Collector;
let front: Server;
let server: PageServer;
const arrivals: Array<{ at: number; status: number }> = [];
const RETRY_AFTER_S = 3;

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  front = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? '*');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Sentry-Rate-Limits');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (arrivals.length === 0) {
        arrivals.push({ at: Date.now(), status: 429 });
        res.writeHead(429, { 'Retry-After': String(RETRY_AFTER_S) }).end();
        return;
      }
      // Recorded on arrival: the test may see the collector's item before this request is answered.
      const arrival = { at: Date.now(), status: 0 };
      arrivals.push(arrival);
      void fetch(`${collector.url}${req.url ?? ''}`, { method: 'POST', body: Buffer.concat(chunks) }).then(async (r) => {
        arrival.status = r.status;
        res.writeHead(r.status).end(await r.text());
      });
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const dsn = new URL(collector.dsn);
  dsn.port = String((front.address() as AddressInfo).port);
  server = await startPageServer(dsn.toString());
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((r) => front?.close(r));
  await collector?.close();
});

it('honours Retry-After: nothing is sent before it ends, then the held envelope is delivered once', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.origin}/app.html?opts=${encodeURIComponent(JSON.stringify({ release: 'web@ratelimit' }))}`);
  await waitFor(() => arrivals.length, (n) => n >= 1);
  expect(arrivals[0]?.status).toBe(429);
  const limitedAt = arrivals[0]!.at;
  // More work while limited: it must wait too, not hammer the backend.
  await page.evaluate(() => (window as any).Crashfree.captureException(new Error('during the limit')));
  const sessions = () =>
    collector
      .items({ type: 'session' })
      .map((i) => i.payload as SessionUpdate)
      .filter((s) => s.attrs?.release === 'web@ratelimit');
  await waitFor(sessions, (l) => l.length > 0, 15_000);
  const afterLimit = arrivals.slice(1);
  expect(afterLimit.length).toBeGreaterThan(0);
  for (const a of afterLimit) expect(a.at - limitedAt).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50);
  await waitFor(() => collector.items({ type: 'event' }).length, (n) => n === 1);
  await page.waitForTimeout(300);
  expect(sessions().filter((s) => s.init === true)).toHaveLength(1);
  expect(collector.items({ type: 'event' })).toHaveLength(1);
  await context.close();
});

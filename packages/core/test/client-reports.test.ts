// Client reports in the durable queue: one pending report whose counts
// accumulate, never evicting events or session updates; overflow drops
// events and the drop is counted, so nothing vanishes from the numbers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClientReportEnvelope, createEventEnvelope, getEnvelopeEndpointWithUrlEncodedAuth, makeDsn, type Envelope } from '@sentry/core';
import { createClient, createMemoryStore, makeDurableTransport, type RequestExecutor, type Store } from '@crashfree/core';
import { collector, httpExecutor, testClock, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const eventEnvelope = (i: number): Envelope => createEventEnvelope({ event_id: i.toString(16).padStart(32, '0'), message: `m${i}`, level: 'error' }, undefined, undefined);
const report = (reason: 'sample_rate' | 'queue_overflow', quantity: number): Envelope =>
  createClientReportEnvelope([{ reason, category: 'error', quantity }], undefined, 1_700_000_000);

type Discarded = { reason: string; category: string; quantity: number };
const reportCounts = (col: Collector): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of col.items({ type: 'client_report' }))
    for (const d of (r.payload as { discarded_events: Discarded[] }).discarded_events) out[`${d.reason}:${d.category}`] = (out[`${d.reason}:${d.category}`] ?? 0) + d.quantity;
  return out;
};

function transportFor(url: string, makeRequest: RequestExecutor, store: Store, drops: string[], maxCount: number, clock = testClock()) {
  return makeDurableTransport({
    url,
    store,
    makeRequest,
    queue: { maxCount, maxBytes: 1 << 20, maxAgeMs: 3600_000 },
    recordDroppedEvent: (reason, category, count = 1) => void drops.push(`${reason}:${category}:${count}`),
    deps: { now: clock.now, random: () => 0.5, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    logger: { warn: () => undefined },
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
}

describe('client reports in the queue', () => {
  it('coalesce into one pending report and never evict an event', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    let down = true;
    const drops: string[] = [];
    const store = createMemoryStore();
    const transport = transportFor(url, (req) => (down ? Promise.reject(new Error('offline')) : httpExecutor(req)), store, drops, 3);
    for (let i = 0; i < 3; i++) await transport.send(eventEnvelope(i));
    await transport.send(report('sample_rate', 2));
    await transport.send(report('sample_rate', 3));
    await transport.send(report('queue_overflow', 1));
    // Three events fill the queue; the reports took no event's place.
    expect(drops).toEqual([]);
    expect((await store.keys('queue/')).length).toBe(4);
    await transport.send(eventEnvelope(3)); // overflow: the oldest event goes, and is counted in the pending report at once
    expect((await store.keys('queue/')).length).toBe(4);
    down = false;
    expect(await transport.retryNow().then(() => transport.pending())).toBe(0);
    expect(c.items({ type: 'event' }).map((e) => (e.payload as { message: string }).message)).toEqual(['m1', 'm2', 'm3']);
    expect(c.items({ type: 'client_report' })).toHaveLength(1);
    // One reported by the client's own report, one dropped by the queue itself.
    expect(reportCounts(c)).toEqual({ 'sample_rate:error': 5, 'queue_overflow:error': 2 });
    transport.dispose();
  });

  it('reports persisted by several earlier runs are all delivered after load, counts kept; a new report merges into the newest', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    const store = createMemoryStore();
    for (let run = 0; run < 3; run++) {
      // Each run at its own time, as real launches are (queue keys start with the time).
      const t = transportFor(url, () => Promise.reject(new Error('offline')), store, [], 3, testClock(Date.UTC(2026, 0, 1) + run * 1000));
      await t.send(report('sample_rate', run + 1));
      await t.send(eventEnvelope(run));
      await t.flush(20);
      t.dispose();
    }
    let up = false;
    const next = transportFor(url, (req) => (up ? httpExecutor(req) : Promise.reject(new Error('offline'))), store, [], 3, testClock(Date.UTC(2026, 0, 1) + 5000));
    await next.load();
    await next.send(report('queue_overflow', 4));
    // Its send pass failed (offline): over before the network comes back.
    expect(await next.flush(50)).toBe(false);
    // Merged into the newest loaded report: no fourth one.
    expect((await store.keys('queue/')).length).toBe(6);
    up = true;
    await next.retryNow();
    expect(await next.flush(2000)).toBe(true);
    expect(c.items({ type: 'event' })).toHaveLength(3);
    expect(c.items({ type: 'client_report' })).toHaveLength(3);
    expect(reportCounts(c)).toEqual({ 'sample_rate:error': 6, 'queue_overflow:error': 4 });
    expect(await store.keys()).toEqual([]);
    next.dispose();
  });

  it('a client offline with a tight queue: every captured event is either delivered or counted', async () => {
    c = await collector();
    let down = true;
    const platform = testPlatform({ makeRequest: (req) => (down ? Promise.reject(new Error('offline')) : httpExecutor(req)) });
    const client = createClient({ dsn: c.dsn, release: 'app@1.0.0', queue: { maxCount: 4 }, fingerprintBudget: 100 }, platform);
    await client.start();
    for (let i = 0; i < 12; i++) {
      client.captureException(new Error(`boom ${i}`));
      // Reports flushed while the queue is full must not push events out.
      if (i % 3 === 2) await client.flush(50);
    }
    await client.flush(50);
    down = false;
    await client.retryNow();
    await client.flush(2000);
    const delivered = c.items({ type: 'event' }).length;
    const counts = reportCounts(c);
    expect(delivered).toBeGreaterThan(0);
    expect(delivered + (counts['queue_overflow:error'] ?? 0)).toBe(12);
    await client.close(1000);
  });
});

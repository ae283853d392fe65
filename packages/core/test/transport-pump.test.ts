// The queue pump's wake-ups and the "retry now" switch, against a real
// collector on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createEventEnvelope, getEnvelopeEndpointWithUrlEncodedAuth, makeDsn, type Envelope } from '@sentry/core';
import { createMemoryStore, makeDurableTransport, type RequestExecutor } from '@crashfree/core';
import { collector, httpExecutor, testClock } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const eventEnvelope = (i: number): Envelope => createEventEnvelope({ event_id: i.toString(16).padStart(32, '0'), message: `m${i}`, level: 'error' }, undefined, undefined);

function transportFor(url: string, makeRequest: RequestExecutor, clock = testClock(), requestTimeoutMs?: number) {
  return makeDurableTransport({
    requestTimeoutMs,
    url,
    store: createMemoryStore(),
    makeRequest,
    queue: { maxCount: 100, maxBytes: 1 << 20, maxAgeMs: 3600_000 },
    recordDroppedEvent: () => undefined,
    deps: { now: clock.now, random: () => 0.5, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    logger: { warn: () => undefined },
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
}

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('queue pump', () => {
  it('sends an envelope queued while a send pass is finishing, without another flush', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    // Sweep the moment of the second send across the microtasks around the end of the first pass:
    // whenever it lands, it must go out on its own.
    for (let delay = 0; delay < 16; delay++) {
      const sent: number[] = [];
      let transport: ReturnType<typeof transportFor> | undefined;
      let second: Promise<unknown> | undefined;
      transport = transportFor(url, async (req) => {
        const res = await httpExecutor(req);
        sent.push(sent.length);
        if (sent.length === 1) second = ticks(delay).then(() => transport!.send(eventEnvelope(1000 + delay)));
        return res;
      });
      await transport.send(eventEnvelope(delay));
      await new Promise((r) => setTimeout(r, 5));
      await second;
      for (let i = 0; i < 50 && sent.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      expect({ delay, sent: sent.length, pending: transport.pending() }).toEqual({ delay, sent: 2, pending: 0 });
      transport.dispose();
    }
  });

  it('a request not answered within requestTimeoutMs counts as a network error: the queue backs off, keeps the envelope, and sends it on retry', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    let calls = 0;
    // The first request never answers (a hung connection); later ones reach the collector.
    const transport = transportFor(url, (req) => (++calls === 1 ? new Promise(() => undefined) : httpExecutor(req)), testClock(), 50);
    await transport.send(eventEnvelope(7));
    expect(await transport.flush(1000)).toBe(false);
    expect({ calls, pending: transport.pending(), received: c.items({ type: 'event' }).length }).toEqual({ calls: 1, pending: 1, received: 0 });
    await transport.retryNow();
    expect({ calls, pending: transport.pending(), received: c.items({ type: 'event' }).length }).toEqual({ calls: 2, pending: 0, received: 1 });
    transport.dispose();
  });

  it('retryNow ends the backoff: what waited goes out at once, without moving the clock', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    let down = true;
    let requests = 0;
    const transport = transportFor(url, async (req) => {
      requests += 1;
      if (down) throw new Error('ECONNREFUSED');
      return httpExecutor(req);
    });
    await transport.send(eventEnvelope(1));
    await transport.flush(1000);
    await transport.send(eventEnvelope(2));
    await transport.flush(1000);
    // Down: one request, then the 60 s backoff holds everything.
    expect({ requests, pending: transport.pending() }).toEqual({ requests: 1, pending: 2 });
    down = false;
    await transport.retryNow();
    expect({ requests, pending: transport.pending() }).toEqual({ requests: 3, pending: 0 });
    expect(c.items({ type: 'event' })).toHaveLength(2);
    transport.dispose();
  });

  it('retryNow does not override Retry-After: a rate-limited category stays held', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    let requests = 0;
    const clock = testClock();
    const transport = transportFor(
      url,
      async (req) => {
        requests += 1;
        return requests === 1 ? { statusCode: 429, headers: { 'retry-after': '60' } } : httpExecutor(req);
      },
      clock,
    );
    await transport.send(eventEnvelope(1));
    await transport.flush(1000);
    expect(requests).toBe(1);
    await transport.retryNow();
    expect({ requests, pending: transport.pending() }).toEqual({ requests: 1, pending: 1 });
    clock.advance(61_000);
    await transport.retryNow();
    expect({ requests, pending: transport.pending() }).toEqual({ requests: 2, pending: 0 });
    transport.dispose();
  });
});

describe('queue key prefix', () => {
  it('keeps its entries under queue.keyPrefix and loads only those', async () => {
    c = await collector();
    const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
    const store = createMemoryStore();
    const make = (keyPrefix: string, makeRequest: RequestExecutor) =>
      makeDurableTransport({
        url,
        store,
        makeRequest,
        queue: { maxCount: 10, maxBytes: 1 << 20, maxAgeMs: 3600_000, keyPrefix },
        recordDroppedEvent: () => undefined,
        deps: { now: Date.now, random: Math.random, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
        logger: { warn: () => undefined },
      });
    const offline: RequestExecutor = () => Promise.reject(new Error('offline'));
    const a = make('tab/a/queue/', offline);
    const b = make('tab/b/queue/', offline);
    await a.send(eventEnvelope(1));
    await b.send(eventEnvelope(2));
    await b.send(eventEnvelope(3));
    a.dispose();
    b.dispose();
    expect((await store.keys('tab/a/queue/')).length).toBe(1);
    expect((await store.keys('tab/b/queue/')).length).toBe(2);
    const next = make('tab/b/queue/', httpExecutor);
    await next.load();
    expect(await next.flush(2000)).toBe(true);
    expect(c.items({ type: 'event' }).map((e) => (e.payload as { message: string }).message)).toEqual(['m2', 'm3']);
    expect((await store.keys()).filter((k) => k.startsWith('tab/a/'))).toHaveLength(1);
    next.dispose();
  });
});

/** A transport whose first request is answered only on `releaseFirst()` (a fetch still in flight at pagehide), with that request already sent. */
async function withFirstRequestHanging(col: Collector) {
  const url = getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(col.dsn)!);
  let releaseFirst: () => void = () => undefined;
  const firstHeld = new Promise<void>((r) => (releaseFirst = r));
  const counter = { requests: 0 };
  const transport = transportFor(url, async (req) => {
    counter.requests += 1;
    if (counter.requests === 1) await firstHeld;
    return httpExecutor(req);
  });
  void transport.send(eventEnvelope(1));
  for (let i = 0; i < 50 && counter.requests < 1; i++) await new Promise((r) => setTimeout(r, 2));
  return { transport, counter, releaseFirst };
}

describe('urgent mode (a page or process going away)', () => {
  it('sends a new envelope at once even while an earlier request still waits for its answer', async () => {
    c = await collector();
    const { transport, counter, releaseFirst } = await withFirstRequestHanging(c);
    transport.setUrgent(true);
    await transport.send(eventEnvelope(2));
    for (let i = 0; i < 100 && c.items({ type: 'event' }).length < 1; i++) await new Promise((r) => setTimeout(r, 5));
    // The second envelope reached the collector while the first request was still unanswered.
    expect(counter.requests).toBe(2);
    expect(c.items({ type: 'event' }).map((e) => (e.payload as { event_id: string }).event_id)).toEqual([(2).toString(16).padStart(32, '0')]);
    releaseFirst();
    for (let i = 0; i < 100 && transport.pending() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    // Each envelope went out once: urgent mode and the ordinary pass never send the same entry.
    expect(counter.requests).toBe(2);
    expect(transport.pending()).toBe(0);
    transport.dispose();
  });

  it('without urgent mode the queue stays in order: nothing overtakes the request in flight', async () => {
    c = await collector();
    const { transport, counter, releaseFirst } = await withFirstRequestHanging(c);
    await transport.send(eventEnvelope(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(counter.requests).toBe(1);
    releaseFirst();
    for (let i = 0; i < 100 && transport.pending() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(counter.requests).toBe(2);
    transport.dispose();
  });
});

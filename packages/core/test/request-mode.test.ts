// Request mode: per-minute aggregates with exact counts, flushed on the
// timer and on close, sent to a real collector.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClient, createMemoryStore, type RequestSession } from '@crashfree/core';
import { collector, testClock, testPlatform, until } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

type Aggregates = { attrs: Record<string, string>; aggregates: Array<{ started: string; exited?: number; errored?: number; crashed?: number }> };
const aggregates = (col: Collector) => col.items({ type: 'sessions' }).map((i) => i.payload as Aggregates);
const total = (col: Collector) =>
  aggregates(col)
    .flatMap((a) => a.aggregates)
    .reduce((t, b) => ({ exited: t.exited + (b.exited ?? 0), errored: t.errored + (b.errored ?? 0), crashed: t.crashed + (b.crashed ?? 0) }), { exited: 0, errored: 0, crashed: 0 });

describe('request mode', () => {
  it('counts every ended request exactly once in the bucket of its start minute', async () => {
    c = await collector();
    const clock = testClock(Date.UTC(2026, 0, 1, 12, 0, 30));
    const client = createClient({ dsn: c.dsn, release: 'api@3.1.0', sessionMode: 'request' }, testPlatform(), { now: clock.now });
    await client.start();
    expect(client.getSessionId()).toBeUndefined();
    const a = client.startRequest();
    const b = client.startRequest();
    b.captureException(new Error('handled in b'));
    const d = client.startRequest();
    d.captureException(new Error('crash in d'), { mechanism: { handled: false } });
    clock.advance(60_000); // next minute: a, b, d still belong to 12:00
    a.end();
    b.end();
    d.end();
    d.end(); // counted once
    const e = client.startRequest();
    e.end('errored');
    client.startRequest(); // never ended: not counted
    await client.close(5000);
    const got = aggregates(c);
    expect(got).toHaveLength(1);
    expect(got[0]!.attrs).toEqual({ release: 'api@3.1.0', environment: 'production' });
    expect(got[0]!.aggregates).toEqual([
      { started: '2026-01-01T12:00:00.000Z', exited: 1, errored: 1, crashed: 1 },
      { started: '2026-01-01T12:01:00.000Z', errored: 1 },
    ]);
    expect(c.items({ type: 'session' })).toEqual([]);
    expect(c.items({ type: 'event' })).toHaveLength(2);
  });

  it('a plain captureException marks the request the resolver returns, even when the event is dropped', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'api@3.1.0', sessionMode: 'request', beforeSend: () => null }, testPlatform());
    await client.start();
    let current: RequestSession | undefined;
    client.setRequestResolver(() => current);
    const reqs = Array.from({ length: 4 }, () => client.startRequest());
    current = reqs[1];
    client.captureException(new Error('handled'));
    current = reqs[2];
    client.captureException(new Error('fatal'), { mechanism: { handled: false } });
    current = undefined;
    client.captureException(new Error('outside any request'));
    for (const r of reqs) r.end();
    await client.close(5000);
    expect(total(c)).toEqual({ exited: 2, errored: 1, crashed: 1 });
  });

  it('flushes on the interval timer without close, and keeps totals exact across flushes', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'api@3.1.0', sessionMode: 'request', aggregateFlushIntervalMs: 50 }, testPlatform());
    await client.start();
    for (let i = 0; i < 30; i++) client.startRequest().end();
    await until(() => aggregates(c!).length === 1, 'the timed flush');
    for (let i = 0; i < 12; i++) client.startRequest().end(i % 3 === 0 ? 'crashed' : 'exited');
    await client.close(5000);
    expect(aggregates(c).length).toBe(2);
    expect(total(c)).toEqual({ exited: 38, errored: 0, crashed: 4 });
  });
});

describe('request mode, fatal path', () => {
  it('captureFatalSync ends the request crashed and persists the buckets synchronously; the next launch sends them', async () => {
    c = await collector();
    const store = createMemoryStore();
    const platform = testPlatform({ store, run: 'one', makeRequest: () => Promise.reject(new Error('offline')) });
    const client = createClient({ dsn: c.dsn, release: 'api@3.1.0', sessionMode: 'request' }, platform);
    await client.start();
    for (let i = 0; i < 3; i++) client.startRequest().end();
    const req = client.startRequest();
    client.setRequestResolver(() => req);
    const before = (await store.keys('queue/')).length;
    client.captureFatalSync(new Error('process going down'));
    // Synchronously persisted (memory store's setSync): the aggregate and the crash record.
    expect((await store.keys('queue/')).length).toBe(before + 1);
    expect(req.status).toBe('crashed');
    await client.flush(20); // the dying run's async queue write of the event lands (offline: nothing is sent)
    (client.getTransport() as unknown as { dispose(): void }).dispose();

    const next = createClient({ dsn: c.dsn, release: 'api@3.1.0', sessionMode: 'request' }, testPlatform({ store, run: 'two', dead: new Set(['one']) }));
    // The dying run's queue already holds the crash event: recovery counts it but queues no second copy.
    expect(await next.start()).toMatchObject({ events: 1 });
    await next.close(5000);
    expect(total(c)).toEqual({ exited: 3, errored: 0, crashed: 1 });
    expect(c.items({ type: 'event' })).toHaveLength(1);
  });
});

describe('request-mode hot path', () => {
  it('builds each request as a plain-field object (no getter), so V8 keeps one fast shape per request', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'api@3.1.0', sessionMode: 'request' }, testPlatform());
    const a = client.startRequest();
    const b = client.startRequest();
    const desc = Object.getOwnPropertyDescriptor(a, 'status');
    expect(desc?.get).toBeUndefined();
    expect(desc?.value).toBe('ok');
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    b.markErrored();
    a.end();
    b.end();
    expect([a.status, b.status]).toEqual(['exited', 'errored']);
    await client.close(5000);
    expect(total(c)).toEqual({ exited: 1, errored: 1, crashed: 0 });
  });
});

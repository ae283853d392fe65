// Request mode across a death: a run that never closes (killed) leaves its
// snapshot in the Store; the next run on that Store counts it once, under the
// id the dead run's next flush would have carried, with the requests that
// were open counted abnormal. Sent to a real collector.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClient, createMemoryStore, type RequestExecutor, type Store } from '@crashfree/core';
import { collector, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const offline: RequestExecutor = () => Promise.reject(new Error('offline'));
type Counts = { exited?: number; errored?: number; crashed?: number; abnormal?: number };

function totals(col: Collector, release: string): Required<Counts> {
  const t = { exited: 0, errored: 0, crashed: 0, abnormal: 0 };
  for (const item of col.items({ type: 'sessions' })) {
    const p = item.payload as { attrs: { release?: string }; aggregates: Counts[] };
    if (p.attrs.release !== release) continue;
    for (const b of p.aggregates) for (const k of Object.keys(t) as Array<keyof typeof t>) t[k] += b[k] ?? 0;
  }
  return t;
}

/** Polls `read` until `done` holds (bounded: 150 tries, 20 ms apart); the snapshot timer fires on its own schedule. */
async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 150 && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 20));
    v = await read();
  }
  return v;
}

async function snapshotOf(store: Store): Promise<{ id: string; buckets: number[][] } | undefined> {
  const [key] = await store.keys('requests/');
  const value = key === undefined ? undefined : await store.get(key);
  return typeof value === 'string' ? (JSON.parse(value) as { id: string; buckets: number[][] }) : undefined;
}

/** The aggregate ids of the envelopes queued in `store`. */
async function queuedIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (const key of await store.keys('queue/')) {
    const body = String(await store.get(key));
    const id = (JSON.parse(body.slice(0, body.indexOf('\n'))) as Record<string, unknown>)['crashfree_aggregate_id'];
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}

describe('request mode after a death', () => {
  it('counts a killed run from its snapshot: ended requests with their status, open ones abnormal', async () => {
    c = await collector();
    const store = createMemoryStore();
    const dead = new Set<string>();
    const killed = createClient({ dsn: c.dsn, release: 'api@1', sessionMode: 'request' }, testPlatform({ store, run: 'a', dead, makeRequest: offline }));
    await killed.start();
    const reqs = Array.from({ length: 6 }, () => killed.startRequest());
    reqs[0]!.end();
    reqs[1]!.end();
    reqs[2]!.end();
    reqs[3]!.captureException(new Error('handled'));
    reqs[3]!.end();
    const snap = await poll(() => snapshotOf(store), (v) => v?.buckets[0]?.[1] === 3 && v.buckets[0][2] === 1);
    expect(snap?.buckets.map((b) => b.slice(1))).toEqual([[3, 1, 0, 2]]);
    dead.add('a'); // killed: never closed, its timers die with it

    const next = createClient({ dsn: c.dsn, release: 'api@2', sessionMode: 'request' }, testPlatform({ store, run: 'b', dead }));
    await next.start();
    await next.close(5000);
    expect(totals(c, 'api@1')).toEqual({ exited: 3, errored: 1, crashed: 0, abnormal: 2 });
    const sent = c.items({ type: 'sessions' }).filter((i) => (i.payload as { attrs: { release: string } }).attrs.release === 'api@1');
    expect(sent.map((i) => i.envelopeHeaders['crashfree_aggregate_id'])).toEqual([snap!.id]);
    expect(await store.keys('requests/')).toEqual([]);
  }, 15_000);

  it('never queues a flush twice when the run died between queueing it and rewriting its snapshot', async () => {
    c = await collector();
    const store = createMemoryStore();
    const dead = new Set<string>();
    const killed = createClient({ dsn: c.dsn, release: 'api@1', sessionMode: 'request', aggregateFlushIntervalMs: 10 }, testPlatform({ store, run: 'a', dead, makeRequest: offline }));
    await killed.start();
    killed.startRequest(); // open throughout
    for (let i = 0; i < 5; i++) killed.startRequest().end();
    // The flush (10 ms) queued the five; the snapshot after it holds only the open one, under the next id.
    const ids = await poll(() => queuedIds(store), (v) => v.length === 1);
    const snap = await poll(() => snapshotOf(store), (v) => v !== undefined && v.id !== ids[0]);
    const [key] = await store.keys('requests/');
    expect(snap!.buckets.map((b) => b.slice(1))).toEqual([[0, 0, 0, 1]]);
    expect(ids).toHaveLength(1);
    // Put back a snapshot naming the queued flush: the state a death leaves between the two writes.
    await store.set(key!, JSON.stringify({ ...snap, id: ids[0], buckets: [[snap!.buckets[0]![0], 3, 0, 0, 1]] }));
    dead.add('a');

    const next = createClient({ dsn: c.dsn, release: 'api@2', sessionMode: 'request' }, testPlatform({ store, run: 'b', dead, makeRequest: offline }));
    await next.start();
    expect(await queuedIds(store)).toEqual(ids);
    expect(await store.keys('requests/')).toEqual([]);
    await next.close(0);
  }, 15_000);

  it('leaves a live run alone, removes a closed run\u2019s snapshot, and skips an unreadable one with one warning', async () => {
    c = await collector();
    const store = createMemoryStore();
    const live = createClient({ dsn: c.dsn, release: 'api@1', sessionMode: 'request' }, testPlatform({ store, run: 'a' }));
    await live.start();
    live.startRequest().end();
    expect(await poll(() => store.keys('requests/'), (k) => k.length === 1)).toHaveLength(1);
    await store.set('requests/garbage', '{not json');
    const platform = testPlatform({ store, run: 'b' });
    const other = createClient({ dsn: c.dsn, release: 'api@2', sessionMode: 'request' }, platform);
    await other.start();
    expect(platform.warnings.filter((w) => w.includes('unreadable request-mode snapshot'))).toHaveLength(1);
    expect(await store.keys('requests/')).toHaveLength(1); // the live run's
    await other.close(5000);
    await live.close(5000);
    expect(await store.keys('requests/')).toEqual([]);
    expect(totals(c, 'api@1')).toEqual({ exited: 1, errored: 0, crashed: 0, abnormal: 0 });
  }, 15_000);
});

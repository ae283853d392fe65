// Exactly one `init: true` per session even when the process dies between
// the writes of a transition: a Store that halts (every later write hangs,
// as if the process were killed) at chosen points, then a next launch on
// what it left behind.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClient, createMemoryStore, type RequestExecutor, type Store, type StoreValue } from '@crashfree/core';
import { collector, httpExecutor, sessions, testClock, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const text = (v: StoreValue): string => (typeof v === 'string' ? v : new TextDecoder().decode(v));

/**
 * `base`, until a write matches `killAfter` (that write lands) or `killAt`
 * (that one does not): from then on no write or delete ever completes, as if
 * the process were gone.
 */
function haltingStore(base: Store, killAfter: (key: string, value: string) => boolean, killAt: (key: string, value: string) => boolean = () => false): Store {
  let dead = false;
  const never = new Promise<void>(() => undefined);
  return {
    get: (k) => base.get(k),
    keys: (p) => base.keys(p),
    async set(key, value) {
      if (dead || killAt(key, text(value))) {
        dead = true;
        return never;
      }
      await base.set(key, value);
      if (killAfter(key, text(value))) dead = true;
    },
    delete: (key) => (dead ? never : base.delete(key)),
  };
}

async function previousRun(store: Store, dsn: string, makeRequest: RequestExecutor): Promise<string> {
  const clock = testClock(T0);
  const client = createClient({ dsn, release: 'app@1.0.0' }, testPlatform({ store, run: 'old', makeRequest }), { now: clock.now });
  await client.start();
  await new Promise((r) => setTimeout(r, 100)); // whatever could happen before the kill has happened
  const sid = client.getSessionId()!;
  (client.getTransport() as unknown as { dispose(): void }).dispose();
  return sid;
}

async function nextRun(store: Store, dsn: string): Promise<void> {
  const later = testClock(T0 + 60_000);
  const client = createClient({ dsn, release: 'app@1.0.0' }, testPlatform({ store, run: 'new', dead: new Set(['old']) }), { now: later.now });
  await client.start();
  await client.close(5000);
}

describe('one init per session across a kill between writes', () => {
  it('killed right after the init envelope reached the queue (offline): the recovered update has no init', async () => {
    c = await collector();
    const base = createMemoryStore();
    const store = haltingStore(base, (key, value) => key.startsWith('queue/') && value.includes('"init":true'));
    const sid = await previousRun(store, c.dsn, () => Promise.reject(new Error('offline')));
    await nextRun(base, c.dsn);
    const got = sessions(c).filter((s) => s.sid === sid);
    expect(got.map((s) => [s.status, s.init])).toEqual([
      ['ok', true],
      ['abnormal', false],
    ]);
  });

  it('killed before the "init queued" write landed while the network was up: still one init', async () => {
    c = await collector();
    const base = createMemoryStore();
    // The kill comes with the write that would record "init queued": it never lands, nor anything after it.
    const halting = haltingStore(base, () => false, (key, value) => key.startsWith('session/') && value.includes('"initQueued":true'));
    const sid = await previousRun(halting, c.dsn, httpExecutor);
    await nextRun(base, c.dsn);
    const got = sessions(c).filter((s) => s.sid === sid);
    expect(got.filter((s) => s.init === true)).toHaveLength(1);
    expect(got.map((s) => s.status)).toContain('abnormal');
  });
});

// Application-mode details: did from the user (optionally hashed), captures
// before start, startSession ending the previous one, the fatal path's sync
// persistence.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { getCurrentScope, getIsolationScope } from '@sentry/core';
import { createClient, createMemoryStore, sha256HexSync, type Store } from '@crashfree/core';
import { collector, sessions, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
  getIsolationScope().setUser(null);
  getCurrentScope().setUser(null).setTag('area', undefined);
});

describe('application sessions', () => {
  it('sets did from the user id, and its SHA-256 when hashUserId is on', async () => {
    for (const hashUserId of [false, true]) {
      c = await collector();
      const client = createClient({ dsn: c.dsn, release: 'app@1', hashUserId }, testPlatform());
      getIsolationScope().setUser({ id: 'user-42' });
      await client.start();
      await client.close(5000);
      const dids = sessions(c).map((s) => s.did);
      expect(dids).toEqual([hashUserId ? sha256HexSync('user-42') : 'user-42', hashUserId ? sha256HexSync('user-42') : 'user-42']);
      await c.close();
    }
    c = undefined;
  });

  it('counts captures made before start into the first session', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform());
    client.captureException(new Error('early 1'));
    client.captureException(new Error('early 2'));
    await client.start();
    await client.close(5000);
    expect(sessions(c).map((s) => [s.status, s.errors, s.init])).toEqual([
      ['ok', 0, true],
      ['ok', 1, false],
      ['exited', 2, false],
    ]);
    expect(c.items({ type: 'event' })).toHaveLength(2);
  });

  it('startSession ends the running session exited; each sid has exactly one init and increasing seq', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform());
    await client.start();
    const first = client.getSessionId();
    client.captureException(new Error('x'));
    client.startSession();
    const second = client.getSessionId();
    expect(second).not.toBe(first);
    client.endSession('abnormal');
    client.endSession(); // nothing running: no-op
    await client.close(5000);
    const bySid = (sid: string | undefined) => sessions(c!).filter((s) => s.sid === sid);
    expect(bySid(first).map((s) => [s.status, s.init, s.seq])).toEqual([
      ['ok', true, 0],
      ['ok', false, 1],
      ['exited', false, 2],
    ]);
    expect(bySid(second).map((s) => [s.status, s.init, s.seq])).toEqual([
      ['ok', true, 0],
      ['abnormal', false, 1],
    ]);
  });

  it('captureFatalSync persists the crashed session and the crash record synchronously via setSync', async () => {
    c = await collector();
    const memory = createMemoryStore();
    const syncWrites: string[] = [];
    const store: Store = { ...memory, setSync: (k, v) => (syncWrites.push(k), memory.setSync!(k, v)) };
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store }));
    getCurrentScope().setTag('area', 'checkout');
    await client.start();
    const sid = client.getSessionId()!;
    syncWrites.length = 0; // the start's own synchronous write is tested below
    const id = client.captureFatalSync(new RangeError('out of range'));
    // Synchronously, before any promise ran:
    expect(syncWrites).toEqual([`session/${sid}`, `crash/${sid}`]);
    const record = JSON.parse(String(await memory.get(`crash/${sid}`)));
    expect(record).toMatchObject({ v: 1, sid, event: { event_id: id, level: 'fatal', release: 'app@1', tags: { area: 'checkout' } } });
    expect(JSON.parse(String(await memory.get(`session/${sid}`)))).toMatchObject({ status: 'crashed', seq: 1 });
    expect(await client.flush(5000)).toBe(true);
    expect(sessions(c).map((s) => s.status)).toEqual(['ok', 'crashed']);
    expect(c.items({ type: 'event' }).map((e) => (e.payload as { event_id: string }).event_id)).toEqual([id]);
    expect(await memory.keys('crash/')).toEqual([]);
  });
});

describe('first persistence of a session', () => {
  it('writes the new session synchronously (setSync) so a run that never yields again still leaves it for recovery', async () => {
    c = await collector();
    const memory = createMemoryStore();
    // A Store whose async writes never land: the process spins right after start and no promise runs again.
    const store: Store = { ...memory, set: () => new Promise<void>(() => undefined) };
    const dead = new Set<string>();
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store, run: 'one', dead }));
    client.startSession();
    const sid = client.getSessionId()!;
    expect(JSON.parse(String(await memory.get(`session/${sid}`)))).toMatchObject({ sid, status: 'ok', seq: 0, initQueued: false });
    dead.add('one');
    const next = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store: memory, run: 'two', dead }));
    expect(await next.start()).toMatchObject({ abnormal: 1 });
    await next.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).map((s) => [s.status, s.init])).toEqual([['abnormal', true]]);
  });
});

describe('endSessionSync', () => {
  it('persists the exited state synchronously so the next launch sends it even if this run dies now', async () => {
    c = await collector();
    const store = createMemoryStore();
    const dead = new Set<string>();
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store, run: 'one', dead, makeRequest: () => Promise.reject(new Error('offline')) }));
    await client.start();
    await client.flush(20);
    const sid = client.getSessionId()!;
    client.endSessionSync();
    expect(client.getSessionId()).toBeUndefined();
    expect(JSON.parse(String(await store.get(`session/${sid}`)))).toMatchObject({ status: 'exited', seq: 1 });
    // A dead run writes nothing more: its pending writes finish before the next launch looks.
    await client.flush(20);
    (client.getTransport() as unknown as { dispose(): void }).dispose();
    dead.add('one');
    const next = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store, run: 'two', dead }));
    expect(await next.start()).toMatchObject({ crashed: 0, abnormal: 0 });
    await next.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).map((s) => [s.status, s.seq])).toEqual([
      ['ok', 0],
      ['exited', 1],
    ]);
  });
});

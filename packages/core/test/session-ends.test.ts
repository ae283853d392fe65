// How sessions end when the platform knows more than "the owner is gone":
// abnormal with a mechanism, exited at a given time (persisted hint), an end
// time for endSession, captures before start(), and start() racing close().
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClient, createMemoryStore, type RequestExecutor, type Store } from '@crashfree/core';
import { collector, sessions, testClock, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const offline: RequestExecutor = () => Promise.reject(new Error('ECONNREFUSED'));
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A previous run on `store` that delivers nothing and is then abandoned as if its process died. */
async function deadRun(store: Store, dsn: string, act: (client: ReturnType<typeof createClient>, clock: ReturnType<typeof testClock>) => void) {
  const clock = testClock(T0);
  const client = createClient({ dsn, release: 'app@1' }, testPlatform({ store, run: 'old', makeRequest: offline }), { now: clock.now });
  await client.start();
  act(client, clock);
  await client.flush(30);
  const sid = client.getSessionId()!;
  (client.getTransport() as unknown as { dispose(): void }).dispose();
  return sid;
}

function nextClient(store: Store, dsn: string) {
  return createClient({ dsn, release: 'app@1' }, testPlatform({ store, run: 'new', dead: new Set(['old']) }), { now: testClock(T0 + 600_000).now });
}

describe('session end hints', () => {
  it('ends a dead session abnormal with the abnormal_mechanism the platform names (e.g. anr_foreground)', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = await deadRun(store, c.dsn, (client, clock) => {
      clock.advance(4000);
      client.captureException(new Error('last thing it did'));
    });
    const client = nextClient(store, c.dsn);
    expect(await client.start({ sessionEnds: [{ sid, status: 'abnormal', mechanism: 'anr_foreground' }] })).toMatchObject({ abnormal: 1 });
    await client.close(5000);
    const last = sessions(c).filter((s) => s.sid === sid).at(-1)!;
    expect(last).toMatchObject({ status: 'abnormal', abnormal_mechanism: 'anr_foreground', duration: 4 });
  });

  it('honours a persisted hint: a session that went to the background cleanly ends exited at that time, not abnormal', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = await deadRun(store, c.dsn, (client, clock) => {
      clock.advance(9000);
      client.setSessionEndHint({ status: 'exited', at: clock.now() });
      clock.advance(120_000); // killed by the OS in the background later
    });
    expect(JSON.parse(String(await store.get(`session/${sid}`)))).toMatchObject({ pendingEnd: { status: 'exited', at: T0 + 9000 } });
    const client = nextClient(store, c.dsn);
    expect(await client.start()).toMatchObject({ abnormal: 0, crashed: 0 });
    await client.close(5000);
    const last = sessions(c).filter((s) => s.sid === sid).at(-1)!;
    expect(last).toMatchObject({ status: 'exited', duration: 9 });
    expect(last.abnormal_mechanism).toBeUndefined();
  });

  it('a cleared hint (back in the foreground) leaves the dead session abnormal; a crash wins over any hint', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = await deadRun(store, c.dsn, (client) => {
      client.setSessionEndHint({ status: 'exited' });
      client.setSessionEndHint(undefined);
    });
    const client = nextClient(store, c.dsn);
    expect(await client.start()).toMatchObject({ abnormal: 1 });
    await client.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).at(-1)).toMatchObject({ status: 'abnormal' });

    const store2 = createMemoryStore();
    const sid2 = await deadRun(store2, c.dsn, (client) => {
      client.setSessionEndHint({ status: 'exited' });
      client.captureFatalSync(new Error('crash after the hint'));
    });
    const client2 = nextClient(store2, c.dsn);
    expect(await client2.start({ sessionEnds: [{ sid: sid2, status: 'abnormal', mechanism: 'anr_foreground' }] })).toMatchObject({ crashed: 1, abnormal: 0 });
    await client2.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid2).at(-1)).toMatchObject({ status: 'crashed' });
  });

  it('endSession(status, at) ends the session at `at`, so a long background period is not in its duration', async () => {
    c = await collector();
    const clock = testClock(T0);
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform(), { now: clock.now });
    await client.start();
    const sid = client.getSessionId();
    clock.advance(5000);
    const backgroundAt = clock.now();
    clock.advance(3_600_000);
    client.endSession('exited', backgroundAt);
    await client.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).at(-1)).toMatchObject({ status: 'exited', duration: 5 });
  });
});

describe('accounting before start() and start() racing close()', () => {
  it('a fatal capture before start() ends a session crashed, persisted synchronously', async () => {
    c = await collector();
    const memory = createMemoryStore();
    const syncWrites: string[] = [];
    const store: Store = { ...memory, setSync: (k, v) => (syncWrites.push(k), memory.setSync!(k, v)) };
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store }));
    client.captureFatalSync(new Error('first tick'));
    const sid = client.getSessionId()!;
    expect(sid).toBeDefined();
    expect(JSON.parse(String(await memory.get(`session/${sid}`)))).toMatchObject({ status: 'crashed' });
    expect(syncWrites).toContain(`crash/${sid}`);
    await client.start();
    expect(client.getSessionId()).toBe(sid); // start() keeps the session the crash ended, it opens no other
    await client.close(5000);
    expect(sessions(c).map((s) => [s.sid === sid, s.status, s.init])).toEqual([
      [true, 'ok', true],
      [true, 'crashed', false],
    ]);
  });

  it('a handled error before start() is counted in the first session', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform());
    client.captureException(new Error('early'));
    const sid = client.getSessionId();
    expect(sid).toBeDefined();
    await client.start();
    await client.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).at(-1)).toMatchObject({ status: 'exited', errors: 1 });
  });

  it('a start() still running when close() gives up opens no session afterwards', async () => {
    c = await collector();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const memory = createMemoryStore();
    // Recovery is slow: listing the Store waits until the test lets it go.
    const store: Store = { ...memory, keys: async (prefix) => (await gate, memory.keys(prefix)) };
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store }));
    const started = client.start();
    await client.close(20);
    release();
    await started;
    expect(client.getSessionId()).toBeUndefined();
    client.startSession();
    expect(client.getSessionId()).toBeUndefined();
    expect(await memory.keys('session/')).toEqual([]);
  });
});

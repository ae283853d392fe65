// "Every run counts" in the engine, deterministic: what is on disk when a run
// dies at the worst instant (issue 12). The process-level proof is
// test/scenarios/node-kill/; these pin the two facts it rests on.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { getIsolationScope } from '@sentry/core';
import { createClient, createMemoryStore, type Store } from '@crashfree/core';
import { collector, sessions, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  getIsolationScope().setUser(null);
  await c?.close();
  c = undefined;
});

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('what a run leaves on disk when it dies', () => {
  it('an exit while the init update is still being written to the queue leaves "init not queued", and the next launch sends init + exited as one update', async () => {
    c = await collector();
    const memory = createMemoryStore();
    // Queue writes never land (the process is about to exit); session writes do.
    const store: Store = { ...memory, set: (k, v) => (k.startsWith('queue/') ? new Promise<void>(() => undefined) : memory.set(k, v)) };
    const dead = new Set<string>();
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store, run: 'one', dead }));
    client.startSession();
    const sid = client.getSessionId()!;
    // Let the session chain reach the queue (the init update handed to it, its write pending).
    for (let i = 0; i < 5; i++) await tick();
    client.endSessionSync('exited');
    expect(JSON.parse(String(await memory.get(`session/${sid}`)))).toMatchObject({ status: 'exited', seq: 1, initQueued: false });
    dead.add('one');
    const next = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store: memory, run: 'two', dead }));
    await next.start();
    await next.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).map((s) => [s.status, s.init, s.seq])).toEqual([['exited', true, 1]]);
  });

  it('setUser right after the session started writes its did synchronously (the full client, any scope)', async () => {
    c = await collector();
    const memory = createMemoryStore();
    const store: Store = { ...memory, set: () => new Promise<void>(() => undefined) };
    const client = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store }));
    client.startSession();
    const sid = client.getSessionId()!;
    getIsolationScope().setUser({ id: 'user-7' });
    expect(JSON.parse(String(await memory.get(`session/${sid}`)))).toMatchObject({ sid, did: 'user-7', status: 'ok' });
  });
});

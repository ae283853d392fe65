import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Collector } from '@crashfree/collector';
import { appEnv, collector, countingProxy, events, runApp, sessions, tempDir, useCollector, waitFor } from './helpers.js';
import { decodeValue, encodeValue } from '../src/store.js';
import { createProcLiveness } from '../src/liveness.js';

let c: Collector;
useCollector((x) => (c = x));

/** Runs the app until it has a session, then SIGKILLs it; returns the sid. */
async function killedRun(dataDir: string, collectorUnderTest: Collector = c): Promise<string> {
  let sid = '';
  const result = await runApp('app.mjs', {
    env: appEnv(collectorUnderTest, dataDir, 'hang-forever'),
    onLine: (line, kill) => {
      if (line.startsWith('sid ')) sid = line.slice(4);
      if (line === 'ready') setTimeout(() => kill('SIGKILL'), 300);
    },
  });
  expect(result.signal).toBe('SIGKILL');
  return sid;
}

function editPersistedSession(dataDir: string, sid: string, edit: (state: Record<string, any>) => void): void {
  const file = path.join(dataDir, 'store', 'session', sid);
  const state = JSON.parse(decodeValue(fs.readFileSync(file)) as string);
  edit(state);
  fs.writeFileSync(file, encodeValue(JSON.stringify(state)));
}

describe('liveness and recovery', () => {
  it('does not take a recycled pid for the owner: same pid, another start time → abnormal', async () => {
    const dataDir = tempDir('pid-reuse');
    const sid = await killedRun(dataDir);
    // The dead run's pid is now "reused" by a live process (this test runner), with another start time.
    editPersistedSession(dataDir, sid, (s) => {
      s.owner.pid = process.pid;
    });
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    const updates = await waitFor(() => sessions(c, sid), (u) => u.some((x) => x.status === 'abnormal'));
    expect(updates.filter((u) => u.status === 'abnormal')).toHaveLength(1);
  });

  it('leaves a session of a live owner alone (same pid and start time)', async () => {
    const dataDir = tempDir('live-owner');
    const sid = await killedRun(dataDir);
    editPersistedSession(dataDir, sid, (s) => {
      s.owner = createProcLiveness().owner();
    });
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    // The second run's own session ends; by then recovery has long decided about the first one.
    await waitFor(() => sessions(c).filter((u) => u.status === 'exited' && u.sid !== sid), (u) => u.length > 0);
    expect(sessions(c, sid).filter((u) => u.status !== 'ok')).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'store', 'session', sid))).toBe(true);
  });

  it('many processes starting at once over one data dir recover a dead run exactly once', async () => {
    const dataDir = tempDir('shared');
    const sid = await killedRun(dataDir);
    const before = sessions(c).length;
    const runs = await Promise.all(Array.from({ length: Number(process.env.CF_N ?? 4) }, () => runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') })));
    expect(runs.every((r) => r.code === 0)).toBe(true);
    await waitFor(() => sessions(c).slice(before).filter((u) => u.status === 'exited'), (u) => u.length >= 4);
    // Let any straggling duplicate arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    const recovered = sessions(c, sid).filter((u) => u.status === 'abnormal');
    expect(recovered).toHaveLength(1);
    const exited = sessions(c).slice(before).filter((u) => u.status === 'exited');
    expect(new Set(exited.map((u) => u.sid)).size).toBe(4);
    expect(exited).toHaveLength(4);
  });

  it('skips corrupt files in the data dir with a warning each and still delivers everything else', async () => {
    const dataDir = tempDir('corrupt');
    const sid = await killedRun(dataDir);
    const store = path.join(dataDir, 'store');
    fs.mkdirSync(path.join(store, 'queue'), { recursive: true });
    fs.mkdirSync(path.join(store, 'crash'), { recursive: true });
    fs.writeFileSync(path.join(store, 'session', 'not-a-session'), 'garbage\x00\x01');
    fs.writeFileSync(path.join(store, 'queue', '0000-broken'), 'CF1 s 999 0\n{"half":');
    fs.writeFileSync(path.join(store, 'crash', 'broken'), encodeValue('{ not json'));
    fs.mkdirSync(path.join(dataDir, 'reports'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'reports', 'fatal-broken.json'), '{"header": {');
    fs.mkdirSync(path.join(dataDir, 'anr'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'anr', 'broken.json'), '\x00\x00');

    const result = await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    expect(result.code).toBe(0);
    const updates = await waitFor(() => sessions(c, sid), (u) => u.some((x) => x.status === 'abnormal'));
    expect(updates.filter((u) => u.status === 'abnormal')).toHaveLength(1);
    expect(result.stderr).toContain('not-a-session');
    expect(result.stderr).toContain('0000-broken');
    expect(result.stderr).toContain('fatal-broken.json');
    expect(result.stderr).toContain('broken.json');
    // Warnings only: no stack trace of an error escaping into the app.
    expect(result.stderr).not.toMatch(/\n\s+at /);

    // Moved aside or dropped: the next launch is quiet.
    const again = await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    expect(again.stderr).not.toContain('corrupt');
  });

  it('collector down during the crash, up on the next launch: the crash is delivered once', async () => {
    // Its own data dir, so the restarted collector keeps the same project key.
    const down = await collector(0, tempDir('collector'));
    const { port, dataDir: collectorDir } = down;
    const env = appEnv(down, tempDir('offline'), 'uncaught', { CF_SHUTDOWN_MS: '500' });
    await down.close();

    const crash = await runApp('app.mjs', { env });
    expect(crash.code).toBe(1);

    const up = await collector(port, collectorDir);
    try {
      const before = events(up).length;
      await runApp('app.mjs', { env: { ...env, SCENARIO: 'nothing' } });
      await runApp('app.mjs', { env: { ...env, SCENARIO: 'nothing' } });
      const delivered = await waitFor(
        () => events(up).slice(before).filter((e) => e.exception?.values?.[0]?.value === 'boom from a timer'),
        (e) => e.length > 0,
      );
      expect(delivered).toHaveLength(1);
      const crashed = sessions(up).filter((u) => u.status === 'crashed');
      expect(crashed).toHaveLength(1);
    } finally {
      await up.close();
    }
  });

  it('leftovers of a crash are sent by one of many processes starting at once, never once per process (counted on the wire)', async () => {
    const proxy = await countingProxy(c);
    try {
      const env = { ...appEnv(c, tempDir('shared-queue'), 'uncaught', { CF_SHUTDOWN_MS: '300' }), CRASHFREE_DSN: proxy.dsn };
      proxy.setDown(true);
      expect((await runApp('app.mjs', { env })).code).toBe(1);
      expect(proxy.delivered).toHaveLength(0);
      proxy.setDown(false);
      const runs = await Promise.all(Array.from({ length: 4 }, () => runApp('app.mjs', { env: { ...env, SCENARIO: 'nothing' } })));
      expect(runs.every((r) => r.code === 0)).toBe(true);
      const crashEnvelopes = () => proxy.delivered.filter((body) => body.includes('boom from a timer'));
      await waitFor(crashEnvelopes, (d) => d.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      // The core keeps two copies of a crash until one is accepted (the queued
      // envelope and the crash record), both with the same event id: at most
      // two deliveries, whatever the number of processes. Four processes each
      // sending the leftovers would make it four or more.
      const eventIds = crashEnvelopes().map((body) => JSON.parse(body.slice(0, body.indexOf('\n'))).event_id as string);
      expect(new Set(eventIds).size).toBe(1);
      expect(eventIds.length).toBeLessThanOrEqual(2);
      const crashedUpdates = proxy.delivered.filter((body) => /"status":"crashed"/.test(body));
      expect(crashedUpdates.length).toBeGreaterThanOrEqual(1);
      expect(crashedUpdates.length).toBeLessThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { appEnv, events, runApp, sessions, tempDir, useCollector, waitFor } from './helpers.js';

let c: Collector;
useCollector((x) => (c = x));

function finalStatus(sid: string): string | undefined {
  const updates = sessions(c, sid);
  return updates.length ? String(updates[updates.length - 1]!.status) : undefined;
}

describe('application mode, one session per process', () => {
  it('ends `exited` on a natural end, with the handled error counted', async () => {
    const dataDir = tempDir('natural');
    const before = sessions(c).length;
    const result = await runApp('app.mjs', { env: appEnv(c, dataDir, 'natural-end') });
    expect(result.code).toBe(0);
    const mine = await waitFor(() => sessions(c).slice(before), (s) => s.some((u) => u.status === 'exited'));
    const sid = String(mine[0]!.sid);
    expect(mine.filter((u) => u.init === true)).toHaveLength(1);
    expect(finalStatus(sid)).toBe('exited');
    expect(mine[mine.length - 1]!.errors).toBe(1);
    expect(mine[0]!.attrs).toMatchObject({ release: 'scenario@1.0.0' });
  });

  it('crashes on an uncaught exception: event sent, error printed, exit code 1', async () => {
    const dataDir = tempDir('uncaught');
    const result = await runApp('app.mjs', { env: appEnv(c, dataDir, 'uncaught') });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('app ran after the crash');
    expect(result.stderr).toContain('Error: boom from a timer');
    expect(result.stderr).toContain(`Node.js ${process.version}`);
    const event = await waitFor(
      () => events(c).find((e) => e.exception?.values?.[0]?.value === 'boom from a timer'),
      (e) => e !== undefined,
    );
    expect(event!.level).toBe('fatal');
    expect(event!.exception.values[0].mechanism).toMatchObject({ handled: false, type: 'onuncaughtexception' });
    expect(event!.contexts.crashfree_native).toMatchObject({ mode: expect.any(String) });
    const crashed = await waitFor(() => sessions(c).filter((s) => s.status === 'crashed'), (s) => s.length > 0);
    expect(crashed.length).toBeGreaterThan(0);
  });

  it('counts a crash in the very first tick (before the session was started)', async () => {
    const dataDir = tempDir('first-tick');
    const before = sessions(c).length;
    const result = await runApp('app.mjs', { env: appEnv(c, dataDir, 'uncaught-first-tick') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TypeError: boom before anything started');
    const mine = await waitFor(() => sessions(c).slice(before), (s) => s.some((u) => u.status === 'crashed'));
    expect(mine.some((u) => u.status === 'crashed')).toBe(true);
    await waitFor(() => events(c).filter((e) => e.exception?.values?.[0]?.value === 'boom before anything started'), (e) => e.length === 1);
  });

  it('ends `exited` on SIGTERM and still dies of SIGTERM (Node default kept)', async () => {
    const dataDir = tempDir('sigterm');
    let sid = '';
    const result = await runApp('app.mjs', {
      env: appEnv(c, dataDir, 'sigterm'),
      onLine: (line, kill) => {
        if (line.startsWith('sid ')) sid = line.slice(4);
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result.signal).toBe('SIGTERM');
    expect(await waitFor(() => finalStatus(sid), (s) => s === 'exited')).toBe('exited');
  });

  it('ends `exited` on process.exit() with the exit code kept (delivered at the latest on the next launch)', async () => {
    const dataDir = tempDir('exit');
    let sid = '';
    const result = await runApp('app.mjs', {
      env: appEnv(c, dataDir, 'process-exit'),
      onLine: (line) => {
        if (line.startsWith('sid ')) sid = line.slice(4);
      },
    });
    expect(result.code).toBe(3);
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    expect(await waitFor(() => finalStatus(sid), (s) => s === 'exited')).toBe('exited');
  });

  it('reports a SIGKILLed run `abnormal` on the next launch, once', async () => {
    const dataDir = tempDir('sigkill');
    let sid = '';
    const killed = await runApp('app.mjs', {
      env: appEnv(c, dataDir, 'hang-forever'),
      onLine: (line, kill) => {
        if (line.startsWith('sid ')) sid = line.slice(4);
        if (line === 'ready') setTimeout(() => kill('SIGKILL'), 200);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    // Killed mid-run: nothing terminal was sent (the init may or may not have gone out yet).
    expect(sessions(c, sid).filter((u) => u.status !== 'ok')).toEqual([]);
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    const updates = await waitFor(() => sessions(c, sid), (u) => u.some((x) => x.status === 'abnormal'));
    expect(updates.filter((u) => u.status === 'abnormal')).toHaveLength(1);
    expect(updates.filter((u) => u.init === true)).toHaveLength(1);
  });

  it('a second init warns and keeps the first client: one crash is recorded once', async () => {
    const result = await runApp('app.mjs', { env: appEnv(c, tempDir('twice'), 'init-twice') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('init was called again');
    const mine = await waitFor(() => events(c).filter((e) => e.exception?.values?.[0]?.value === 'crash after a second init'), (e) => e.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(events(c).filter((e) => e.exception?.values?.[0]?.value === 'crash after a second init')).toHaveLength(1);
    expect(mine[0]!.release).toBe('scenario@1.0.0');
  });

  it('keeps the app\'s own SIGTERM listener in charge: no forced kill, session exited', async () => {
    let sid = '';
    const dataDir = tempDir('sigterm-own');
    const result = await runApp('app.mjs', {
      env: appEnv(c, dataDir, 'sigterm-own-listener'),
      onLine: (line, kill) => {
        if (line.startsWith('sid ')) sid = line.slice(4);
        if (line === 'ready') kill('SIGTERM');
      },
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app handles SIGTERM');
    // The app ended with process.exit(): the terminal update goes out on the next launch.
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    expect(await waitFor(() => finalStatus(sid), (s) => s === 'exited')).toBe('exited');
  });

  it('with the app\'s own uncaughtException listener, records the crash and lets the app decide (it keeps running)', async () => {
    const before = sessions(c).length;
    const result = await runApp('app.mjs', { env: appEnv(c, tempDir('uncaught-own'), 'uncaught-own-listener') });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app caught caught by the app');
    expect(result.stdout).toContain('still running');
    const event = await waitFor(() => events(c).find((e) => e.exception?.values?.[0]?.value === 'caught by the app'), (e) => e !== undefined);
    expect(event!.exception.values[0].mechanism).toMatchObject({ handled: false });
    const mine = await waitFor(() => sessions(c).slice(before), (s) => s.some((u) => u.status === 'crashed'));
    expect(mine.some((u) => u.status === 'crashed')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { appEnv, events, runApp, sessions, tempDir, useCollector, waitFor } from './helpers.js';

let c: Collector;
useCollector((x) => (c = x));

const anrEvents = () => events(c).filter((e) => e.exception?.values?.[0]?.type === 'ApplicationNotResponding');

describe('event-loop hang detection', () => {
  it('sends one ApplicationNotResponding event per blocked episode, with the blocking function in its stack', async () => {
    const before = anrEvents().length;
    const result = await runApp('app.mjs', { env: appEnv(c, tempDir('anr'), 'anr', { CF_ANR_MS: '400', CF_BLOCK_MS: '2000' }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('unblocked');
    const mine = await waitFor(() => anrEvents().slice(before), (e) => e.length > 0);
    expect(mine).toHaveLength(1);
    const frames: Array<{ function?: string; filename?: string }> = mine[0]!.exception.values[0].stacktrace.frames;
    // Innermost frame last: the busy loop itself.
    expect(frames[frames.length - 1]!.function).toBe('busyLoopFor');
    expect(frames[frames.length - 1]!.filename).toContain('app.mjs');
  });

  it('one event per blocked episode, and no more than anrMaxPerHour', async () => {
    for (const [max, expected] of [
      [undefined, 2],
      ['1', 1],
    ] as const) {
      const before = anrEvents().length;
      const result = await runApp('app.mjs', {
        env: appEnv(c, tempDir('anr-twice'), 'anr-twice', { CF_ANR_MS: '500', ...(max && { CF_ANR_MAX: max }) }),
      });
      expect(result.stdout).toContain('unblocked');
      await waitFor(() => anrEvents().slice(before), (e) => e.length >= expected);
      await new Promise((r) => setTimeout(r, 300));
      expect(anrEvents().slice(before)).toHaveLength(expected);
    }
  });

  it('a run that dies while blocked: the ANR event arrives on the next launch and the session ends abnormal', async () => {
    const dataDir = tempDir('anr-dies');
    let sid = '';
    const before = anrEvents().length;
    const killed = await runApp('app.mjs', {
      env: appEnv(c, dataDir, 'anr-dies-blocked', { CF_ANR_MS: '300' }),
      onLine: (line, kill) => {
        if (line.startsWith('sid ')) sid = line.slice(4);
        if (line === 'ready') setTimeout(() => kill('SIGKILL'), 1500);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    const mine = await waitFor(() => anrEvents().slice(before), (e) => e.length > 0);
    expect(mine).toHaveLength(1);
    // The mechanism belongs to the session (Sentry's session protocol), not to the event as a tag.
    expect(mine[0]!.tags?.abnormal_mechanism).toBeUndefined();
    const frames: Array<{ function?: string }> = mine[0]!.exception.values[0].stacktrace.frames;
    expect(frames.map((f) => f.function)).toContain('busyLoopFor');
    const updates = await waitFor(() => sessions(c, sid), (u) => u.some((x) => x.status === 'abnormal'));
    expect(updates.filter((u) => u.status === 'abnormal')).toHaveLength(1);
    expect(updates.find((u) => u.status === 'abnormal')).toMatchObject({ abnormal_mechanism: 'anr_foreground' });
  });
});

describe('V8 fatal errors', () => {
  it('heap out of memory: the session is crashed with an OOM event on the next launch', async () => {
    const dataDir = tempDir('oom');
    const eventsBefore = events(c).length;
    let sid = '';
    const oom = await runApp('app.mjs', {
      env: appEnv(c, dataDir, 'oom'),
      execArgv: ['--max-old-space-size=32'],
      onLine: (line) => {
        if (line.startsWith('sid ')) sid = line.slice(4);
      },
      timeoutMs: 30_000,
    });
    expect(oom.signal ?? oom.code).not.toBe(0);
    expect(oom.stderr).toContain('JavaScript heap out of memory');
    expect(sessions(c, sid).filter((u) => u.status !== 'ok')).toEqual([]);

    await runApp('app.mjs', { env: appEnv(c, dataDir, 'nothing') });
    const updates = await waitFor(() => sessions(c, sid), (u) => u.some((x) => x.status === 'crashed'));
    expect(updates.filter((u) => u.status === 'crashed')).toHaveLength(1);
    const event = await waitFor(
      () => events(c).find((e) => e.exception?.values?.[0]?.type === 'OutOfMemoryError' && e.release === 'scenario@1.0.0' && e.tags?.fatal_error === 'heap_oom'),
      (e) => e !== undefined,
    );
    expect(event!.exception.values[0].value).toContain('JavaScript heap out of memory');
    expect(event!.level).toBe('fatal');
    expect(event!.contexts.javascript_heap.memory_limit).toBeGreaterThan(0);
    expect(event!.extra.native_stack.length).toBeGreaterThan(0);
    // One death, one event (native capture sees the same death as a SIGABRT).
    await new Promise((r) => setTimeout(r, 300));
    expect(events(c).slice(eventsBefore).filter((e) => e.level === 'fatal')).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { appEnv, events, runApp, sessions, tempDir, useCollector, waitFor } from './helpers.js';

let c: Collector;
useCollector((x) => (c = x));

const MESSAGE = 'rejected and nobody caught it';

async function run(mode: string | undefined, scenario = 'rejection') {
  const before = sessions(c).length;
  const eventsBefore = events(c).length;
  const result = await runApp('app.mjs', {
    env: appEnv(c, tempDir(`rej-${mode ?? 'default'}`), scenario),
    execArgv: mode ? [`--unhandled-rejections=${mode}`] : [],
  });
  const done = (s: Array<Record<string, unknown>>) => s.some((u) => u.status !== 'ok');
  const mine = await waitFor(() => sessions(c).slice(before), done);
  const newEvents = await waitFor(() => events(c).slice(eventsBefore), (e) => e.length > 0);
  return { result, final: mine.filter((u) => u.status !== 'ok').pop(), event: newEvents[0] };
}

describe('unhandled rejections follow --unhandled-rejections', () => {
  it('default (throw): crashes like Node, exit code 1, error printed', async () => {
    const { result, final, event } = await run(undefined);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('still alive');
    expect(result.stderr).toContain(`Error: ${MESSAGE}`);
    expect(final?.status).toBe('crashed');
    expect(event?.exception.values[0]).toMatchObject({ value: MESSAGE, mechanism: { type: 'onunhandledrejection', handled: false } });
  });

  it('default (throw) with a non-Error reason: Node\'s ERR_UNHANDLED_REJECTION wording', async () => {
    const { result, final } = await run(undefined, 'rejection-non-error');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UnhandledPromiseRejection');
    expect(result.stderr).toContain('The promise rejected with the reason "just a string"');
    expect(final?.status).toBe('crashed');
  });

  it('strict: crashes, exit code 1', async () => {
    const { result, final, event } = await run('strict');
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('still alive');
    expect(final?.status).toBe('crashed');
    expect(event?.exception.values[0].mechanism).toMatchObject({ type: 'onunhandledrejection', handled: false });
  });

  it('warn: keeps running, Node warns, the session counts an error and exits cleanly', async () => {
    const { result, final, event } = await run('warn');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('still alive');
    expect(result.stderr).toContain('UnhandledPromiseRejectionWarning');
    expect(final).toMatchObject({ status: 'exited', errors: 1 });
    expect(event?.exception.values[0].mechanism).toMatchObject({ type: 'onunhandledrejection', handled: true });
  });

  it('none: keeps running silently, error counted', async () => {
    const { result, final } = await run('none');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('still alive');
    expect(result.stderr).not.toContain('Unhandled');
    expect(final).toMatchObject({ status: 'exited', errors: 1 });
  });

  it('warn-with-error-code: keeps running, warns, exit code 1, error counted', async () => {
    const { result, final } = await run('warn-with-error-code');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('still alive');
    expect(result.stderr).toContain('UnhandledPromiseRejectionWarning');
    expect(final).toMatchObject({ status: 'exited', errors: 1 });
  });
});

describe('CommonJS apps', () => {
  it('require("@crashfree/node") works: message sent, session exited', async () => {
    const before = sessions(c).length;
    const result = await runApp('app.cjs', { env: appEnv(c, tempDir('cjs'), 'message') });
    expect(result.code).toBe(0);
    await waitFor(() => events(c).find((e) => e.message === 'hello from cjs' || e.logentry?.message === 'hello from cjs'), (e) => e !== undefined);
    const mine = await waitFor(() => sessions(c).slice(before), (s) => s.some((u) => u.status === 'exited'));
    expect(mine[0]!.attrs).toMatchObject({ release: 'scenario-cjs@1.0.0' });
  });

  it('an uncaught exception in a CJS app crashes with exit code 1', async () => {
    const result = await runApp('app.cjs', { env: appEnv(c, tempDir('cjs-crash'), 'uncaught') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('RangeError: boom from cjs');
    await waitFor(() => events(c).find((e) => e.exception?.values?.[0]?.value === 'boom from cjs'), (e) => e !== undefined);
  });
});

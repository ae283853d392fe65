// Native crashes under CPU load: six processes crash at once (through
// wrapNativeAddon, with the real Crashpad handler) while two busy loops keep
// both cores saturated, then six next launches recover at once. Every crash
// must arrive as exactly one native event with its minidump, and its run's
// session as exactly one `crashed` update: none lost, none downgraded to
// `abnormal`, none sent twice. And a next launch that starts while the
// crashing process is still inside its handler delivers that crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCollector, type Collector } from '@crashfree/collector';

import { APP, buildCrasher, CRASHPAD_HANDLER, runApp } from './harness';

type Payload = Record<string, any>;
const CRASHING = 6;
const HOGS = 2;

let crasher: string;
let collector: Collector;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-native-stress-'));
const hogs: ChildProcess[] = [];

beforeAll(async () => {
  ({ crasher } = buildCrasher());
  collector = await startCollector({ port: 0, dataDir: path.join(scratch, 'collector') });
});
afterAll(async () => {
  for (const hog of hogs) hog.kill('SIGKILL');
  await collector?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A busy loop that ends by itself after `ms` (and is killed when the test ends). */
function hog(ms: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end);`], { stdio: 'ignore' });
}

describe('native crashes under load', () => {
  it(`${CRASHING} concurrent crashes with ${HOGS} busy loops: each is one event + minidump + one crashed session`, async () => {
    for (let i = 0; i < HOGS; i++) hogs.push(hog(45_000));
    const envs = Array.from({ length: CRASHING }, (_, i) => ({ CF_DSN: collector.dsn, CF_DATA_DIR: path.join(scratch, `device-${i}`), CF_CRASHER: crasher, CF_HANDLER: CRASHPAD_HANDLER }));

    const crashes = await Promise.all(envs.map((env) => runApp(['crash', 'null-deref'], env, 40_000)));
    for (const c of crashes) expect(c.signal, c.stderr.slice(-1000)).toBe('SIGSEGV');
    const sids = crashes.map((c) => (JSON.parse(c.stdout.split('\n')[0]!) as { sid: string }).sid);
    expect(new Set(sids).size).toBe(CRASHING);

    const next = await Promise.all(envs.map((env) => runApp(['recover'], env, 40_000)));
    for (const n of next) expect(n.code, n.stderr.slice(-1000)).toBe(0);
    for (const h of hogs) h.kill('SIGKILL');

    const events = collector.items({ type: 'event' }).map((e) => ({ id: e.envelopeHeaders['event_id'], payload: e.payload as Payload }));
    const native = events.filter((e) => e.payload['platform'] === 'native');
    const sessions = collector.items({ type: 'session' }).map((s) => s.payload as Payload);
    const attachments = collector.items({ type: 'attachment' });
    crashes.forEach((crash, i) => {
      const mine = native.filter((e) => e.payload['contexts']['crashfree_native_crash']['pid'] === crash.pid);
      expect(mine, `crash ${i} (pid ${crash.pid})`).toHaveLength(1);
      expect(mine[0]!.payload['exception']['values'][0]).toMatchObject({ type: 'SIGSEGV / SEGV_MAPERR', mechanism: { type: 'minidump', handled: false } });
      expect(attachments.filter((a) => a.envelopeHeaders['event_id'] === mine[0]!.id && a.attachment?.attachmentType === 'event.minidump')).toHaveLength(1);
      const statuses = sessions.filter((s) => s['sid'] === sids[i]).map((s) => s['status']);
      expect(statuses.filter((s) => s === 'crashed'), `session of crash ${i}: ${statuses.join(' > ')}`).toHaveLength(1);
      expect(statuses).not.toContain('abnormal');
    });
    expect(native).toHaveLength(CRASHING);
  });

  it('a next launch over the same data dir while the crashing process is still in its handler delivers the crash with its session crashed', async () => {
    const env = { ...process.env, CF_DSN: collector.dsn, CF_DATA_DIR: path.join(scratch, 'shared-device'), CF_CRASHER: crasher, CF_HANDLER: path.join(path.dirname(APP), 'slow-crashpad-handler.sh') };
    const dying = spawn(process.execPath, [APP, 'crash', 'null-deref'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const guard = setTimeout(() => dying.kill('SIGKILL'), 30_000);
    const died = new Promise<NodeJS.Signals | null>((resolve) => dying.once('exit', (_code, signal) => resolve(signal)));
    const sid = await new Promise<string>((resolve) => dying.stdout!.once('data', (d) => resolve((JSON.parse(String(d).split('\n')[0]!) as { sid: string }).sid)));
    // The crash follows the printed line at once; the slowed handler keeps the process alive ~1 s more.
    await new Promise((r) => setTimeout(r, 200));
    expect(dying.exitCode).toBeNull();
    const next = await runApp(['recover'], { CF_DSN: collector.dsn, CF_DATA_DIR: env.CF_DATA_DIR, CF_CRASHER: crasher, CF_HANDLER: CRASHPAD_HANDLER }, 40_000);
    clearTimeout(guard);
    expect(await died).toBe('SIGSEGV');
    expect(next.code, next.stderr.slice(-1000)).toBe(0);

    const statuses = collector.items({ type: 'session' }).map((s) => s.payload as Payload).filter((s) => s['sid'] === sid).map((s) => s['status']);
    expect(statuses.filter((s) => s === 'crashed'), statuses.join(' > ')).toHaveLength(1);
    expect(statuses).not.toContain('abnormal');
    const events = collector.items({ type: 'event' }).map((e) => e.payload as Payload).filter((e) => e['platform'] === 'native' && e['contexts']['crashfree_native_crash']['pid'] === dying.pid);
    expect(events).toHaveLength(1);
    expect(events[0]!['contexts']['crashfree_native_crash']).toMatchObject({ dump: 'crashpad', crashpad_launch: 'ok' });
  });
});

// The native seam through public entry points: the addon's argument checks
// (precise TypeErrors, nothing installed), wrapNativeAddon's call marker in
// the memory shared with the signal handler, and next-launch collection that
// skips a corrupt crash record, still delivers the real crash, and removes
// runs that ended cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startCollector, type Collector } from '@crashfree/collector';
import { wrapNativeAddon } from '@crashfree/node';

import { buildCrasher, NATIVE_DIR, runApp } from './harness';

const require = createRequire(import.meta.url);
const native = require(NATIVE_DIR) as { load(): { ok: boolean; reason?: string; addon?: any } };

describe('@crashfree/native addon', () => {
  const loaded = native.load();
  it('loads (it is built by pnpm install)', () => {
    expect(loaded.reason).toBeUndefined();
    expect(loaded.ok).toBe(true);
  });

  it.each([
    [undefined, 'expected an options object, got undefined.'],
    [[], 'expected an options object, got array.'],
    [{}, 'option "recordPath" is undefined; expected a non-empty string.'],
    [{ recordPath: 7 }, 'option "recordPath" is number; expected a non-empty string.'],
    [{ recordPath: '/r', minidumpPath: '' }, 'option "minidumpPath" is an empty string; expected a non-empty string.'],
    [{ recordPath: '/r', minidumpPath: '/m', release: 1 }, 'option "release" is number; expected a string or undefined.'],
    [{ recordPath: '/r', minidumpPath: '/m', release: 'x'.repeat(200) }, 'option "release" is 200 bytes or contains NUL; expected at most 127 bytes.'],
    [{ recordPath: '/r', minidumpPath: '/m', handlerTimeoutMs: 0 }, 'option "handlerTimeoutMs" is 0; expected an integer from 1 to 600000.'],
    [{ recordPath: '/r', minidumpPath: '/m', handlerTimeoutMs: '5' }, 'option "handlerTimeoutMs" is string; expected an integer from 1 to 600000.'],
    [{ recordPath: '/r', minidumpPath: '/m', handlerPath: '/h' }, 'option "databaseDir" is required with "handlerPath".'],
    [{ recordPath: '/r', minidumpPath: '/m', jsStack: 'yes' }, 'option "jsStack" is string; expected a boolean.'],
  ])('install(%j) throws a TypeError naming the option', (options, message) => {
    expect(() => loaded.addon.install(options)).toThrow(new TypeError(`@crashfree/native install(): ${message}`));
    expect(loaded.addon.status().installed).toBe(false);
  });
});

describe('@crashfree/native without a built addon', () => {
  // A copy of the package's loader with no addon next to it: what a failed
  // install leaves behind.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-native-unbuilt-'));
  mkdirSync(path.join(dir, 'lib'));
  mkdirSync(path.join(dir, 'build', 'addon'), { recursive: true });
  writeFileSync(path.join(dir, 'lib', 'index.js'), readFileSync(path.join(NATIVE_DIR, 'lib', 'index.js')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says in one sentence why, from the build marker', () => {
    writeFileSync(path.join(dir, 'build', 'addon', 'BUILD_FAILED'), 'cmake is not installed\nfix: apt-get install cmake g++\n');
    const r = require(path.join(dir, 'lib', 'index.js')).load();
    expect(r).toEqual({
      ok: false,
      reason: `no prebuilt binary in this copy of the package, and the build from source failed: cmake is not installed`,
      fix: 'apt-get install cmake g++',
    });
  });

  it('with no marker and no binary: says it was not built, and how to build it', () => {
    rmSync(path.join(dir, 'build', 'addon', 'BUILD_FAILED'));
    const r = require(path.join(dir, 'lib', 'index.js')).load();
    expect(r).toEqual({
      ok: false,
      reason: 'no prebuilt binary in this copy of the package, and it was not built from source',
      fix: 'npm rebuild @crashfree/native --build-from-source (needs cmake and a C++ compiler)',
    });
  });

  it('uses a prebuilt binary for this platform, the ABI-specific one first', () => {
    const target = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
    mkdirSync(target, { recursive: true });
    const built = path.join(NATIVE_DIR, 'build', 'addon', 'Release', 'crashfree_native.node');
    writeFileSync(path.join(target, 'node.napi.glibc.node'), readFileSync(built));
    const loader = require(path.join(dir, 'lib', 'index.js'));
    expect(loader.load()).toMatchObject({ ok: true, source: 'prebuilt', variant: 'napi' });
    writeFileSync(path.join(target, `node.abi${process.versions.modules}.glibc.node`), 'not an ELF file');
    // A broken ABI-specific file is skipped for the next candidate.
    expect(loader.load()).toMatchObject({ ok: true, source: 'prebuilt', variant: 'napi' });
    expect(loader.candidates().map((c: { variant: string; exists: boolean }) => [c.variant, c.exists])).toEqual([
      ['source', false],
      [`abi${process.versions.modules}`, true],
      ['napi', true],
    ]);
  });
});

describe('wrapNativeAddon', () => {
  const { addon } = native.load();
  const layout = addon.layout();
  const words = new Int32Array(addon.sharedMemory());
  const bytes = new Uint8Array(addon.sharedMemory());
  const entry = (id: number) => {
    const raw = bytes.subarray(layout.callOffset + id * layout.callSize, layout.callOffset + (id + 1) * layout.callSize);
    return Buffer.from(raw).toString('latin1').split('\0').slice(0, 2);
  };

  it('keeps functions and values, and marks which addon function is running', () => {
    const seen: number[] = [];
    const fake = {
      version: '1.2.3',
      add: (a: number, b: number) => a + b,
      probe(this: unknown, ...args: unknown[]) {
        seen.push(words[layout.callIndex]!);
        return { self: this, count: args.length };
      },
      fail() {
        seen.push(words[layout.callIndex]!);
        throw new RangeError('from the addon');
      },
    };
    const wrapped = wrapNativeAddon(fake, { name: 'fake' });
    expect(wrapped).not.toBe(fake);
    expect(wrapped.version).toBe('1.2.3');
    expect(wrapped.add(2, 3)).toBe(5);
    const r = wrapped.probe(1, undefined, 3, 4);
    expect(r).toEqual({ self: wrapped, count: 4 });
    expect(words[layout.callIndex]).toBe(0); // restored after the call
    expect(() => wrapped.fail()).toThrow(RangeError);
    expect(words[layout.callIndex]).toBe(0); // and after a throw
    expect(seen[0]).toBeGreaterThan(0);
    expect(entry(seen[0]!)).toEqual(['fake', 'probe']);
    expect(entry(seen[1]!)).toEqual(['fake', 'fail']);
  });

  it('rejects what is not an addon with a TypeError', () => {
    expect(() => wrapNativeAddon(null as unknown as object)).toThrow(
      new TypeError('wrapNativeAddon: expected the addon object (what require() returned), got null.'),
    );
    expect(() => wrapNativeAddon({}, { name: 5 as unknown as string })).toThrow(new TypeError('wrapNativeAddon: option "name" is number; expected a string.'));
  });
});

describe('next-launch collection', () => {
  let collector: Collector;
  let crasher: string;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-native-seam-'));
  beforeAll(async () => {
    ({ crasher } = buildCrasher());
    collector = await startCollector({ port: 0, dataDir: path.join(scratch, 'collector') });
  });
  afterAll(async () => {
    await collector?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each([
    ['$CRASHFREE_CRASHPAD_HANDLER', { CRASHFREE_CRASHPAD_HANDLER: '/nonexistent/crashpad' }, { mode: 'inprocess', reason: '$CRASHFREE_CRASHPAD_HANDLER is "/nonexistent/crashpad", which is not an executable file; native crashes will use the in-process minidump writer.' }],
    ['a known location', {}, { mode: 'crashpad', handlerPath: '/usr/lib/chromium/chrome_crashpad_handler' }],
  ])('finds the Crashpad handler through %s (at init)', async (_label, extraEnv, expected) => {
    const env = { CF_DSN: collector.dsn, CF_DATA_DIR: path.join(scratch, `discovery-${_label.length}`), CF_CRASHER: crasher, ...extraEnv };
    const crash = await runApp(['crash', 'null-deref'], env);
    expect(crash.signal, crash.stderr).toBe('SIGSEGV');
    const { status } = JSON.parse(crash.stdout.split('\n')[0]!) as { status: Record<string, unknown> };
    expect(status).toEqual({ enabled: true, altStack: true, chained: true, jsStack: true, ...expected });
  });

  it('beforeSend can drop the native event; the run still counts as crashed', async () => {
    const dataDir = path.join(scratch, 'dropping-app');
    const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, CF_CRASHER: crasher, CF_HANDLER: '/nonexistent/handler', CF_DROP_NATIVE: '1' };
    const crash = await runApp(['crash', 'null-deref'], env);
    expect(crash.signal, crash.stderr).toBe('SIGSEGV');
    const sid = (JSON.parse(crash.stdout.split('\n')[0]!) as { sid: string }).sid;
    const before = collector.items({ type: 'event' }).length;
    const next = await runApp(['recover'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(collector.items({ type: 'event' }).slice(before).filter((e) => (e.payload as any).platform === 'native')).toHaveLength(0);
    const statuses = collector.items({ type: 'session' }).map((s) => s.payload as any).filter((s) => s.sid === sid).map((s) => s.status);
    expect(statuses).toContain('crashed');
  });

  it('a V8 heap OOM (which aborts) is one event and one crashed session, not a second native one', async () => {
    const dataDir = path.join(scratch, 'oom-app');
    const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, CF_CRASHER: crasher };
    const crash = await runApp(['crash', 'oom'], env, 60_000, ['--max-old-space-size=24']);
    expect(crash.signal, crash.stderr.slice(-2000)).toBe('SIGABRT');
    const sid = (JSON.parse(crash.stdout.split('\n')[0]!) as { sid: string }).sid;
    const before = collector.items({ type: 'event' }).length;
    const next = await runApp(['recover'], env);
    expect(next.code, next.stderr).toBe(0);
    const events = collector.items({ type: 'event' }).slice(before);
    expect(events).toHaveLength(1);
    const statuses = collector.items({ type: 'session' }).map((s) => s.payload as any).filter((s) => s.sid === sid).map((s) => s.status);
    expect(statuses.filter((s) => s === 'crashed')).toHaveLength(1);
    // The native record of that abort was delivered with it, so it is gone.
    expect(readdirSync(path.join(dataDir, 'native')).filter((n) => !n.startsWith(`${next.pid}-`))).toEqual([]);
  });

  it('keeps storage bounded: of 22 undelivered crashed runs the oldest 2 are dropped; record-only crashes still become events', async () => {
    const dataDir = path.join(scratch, 'bounded-app');
    const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, CF_CRASHER: crasher, CF_DEBUG: '1' };
    const deadPid = spawnSync('true').pid;
    for (let i = 0; i < 22; i++) {
      const dir = path.join(dataDir, 'native', `${deadPid}-${1_700_000_000_000 + i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'owner'), `${deadPid} 1\n`);
      // What the handler writes when no minidump could be made at all.
      writeFileSync(
        path.join(dir, 'record'),
        `crashfree_record=1\nsignal=7\nsignal_name=SIGBUS\ncode=2\ncode_name=BUS_ADRERR\nfault_address=0x${(0x1000 + i).toString(16)}\n` +
          `pid=${deadPid}\ntid=${deadPid}\ntime_ms=${1_700_000_000_000 + i}\nmode=inprocess\nrelease=old@${i}\nsid=\nannotations_torn=0\ndump=failed\n`,
      );
    }
    const before = collector.items({ type: 'event' }).length;
    const next = await runApp(['recover'], env);
    expect(next.code, next.stderr).toBe(0);
    const events = collector.items({ type: 'event' }).slice(before).map((e) => e.payload as any).filter((e) => e.platform === 'native');
    expect(events).toHaveLength(20);
    expect(events.map((e) => e.release).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `old@${i + 2}`).sort());
    expect(events[0].exception.values[0]).toMatchObject({ type: 'SIGBUS / BUS_ADRERR', mechanism: { type: 'signalhandler', handled: false } });
    expect(`${next.stdout}${next.stderr}`).toContain('dropping 2 undelivered native crash(es) beyond the limit of 20');
    expect(readdirSync(path.join(dataDir, 'native')).filter((n) => n.startsWith(`${deadPid}-`))).toEqual([]);
  });

  it('skips a corrupt record with one warning, delivers the real crash, removes clean runs', async () => {
    const dataDir = path.join(scratch, 'app');
    const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, CF_CRASHER: crasher, CF_HANDLER: '/nonexistent/handler', CF_DEBUG: '1' };
    const crash = await runApp(['crash', 'null-deref'], env);
    expect(crash.signal, crash.stderr).toBe('SIGSEGV');

    // Runs of processes that are gone: one with a corrupt record, one that ended cleanly.
    const deadPid = spawnSync('true').pid;
    const runs = path.join(dataDir, 'native');
    for (const [name, record] of [
      [`${deadPid}-1000`, 'not a crash record\u0000\u00ff'],
      [`${deadPid}-2000`, undefined],
    ] as const) {
      mkdirSync(path.join(runs, name), { recursive: true });
      writeFileSync(path.join(runs, name, 'owner'), `${deadPid} 1\n`);
      if (record !== undefined) writeFileSync(path.join(runs, name, 'record'), record);
    }

    const before = collector.items({ type: 'event' }).length;
    const next = await runApp(['recover'], env);
    expect(next.code, next.stderr).toBe(0);
    const events = collector.items({ type: 'event' }).slice(before).filter((e) => (e.payload as any).platform === 'native');
    expect(events).toHaveLength(1);
    expect((events[0]!.payload as any).exception.values[0]).toMatchObject({ type: 'SIGSEGV / SEGV_MAPERR', mechanism: { type: 'minidump', handled: false } });
    const warnings = `${next.stdout}${next.stderr}`.split('\n').filter((l) => l.includes('unreadable native crash record'));
    expect(warnings).toHaveLength(1);
    // Delivered and dead runs are gone; only the recovering run's own directory remains.
    const left = readdirSync(runs);
    expect(left).toHaveLength(1);
    expect(left[0]!.startsWith(`${next.pid ?? ''}`)).toBe(true);
    expect(existsSync(path.join(runs, `${deadPid}-1000`))).toBe(false);
  });
});

// init() on a data dir that cannot be written, with real processes and a real
// collector on loopback: a file where the dir should be, a path under a
// regular file (ENOTDIR), a path under /proc (where Node's recursive mkdir
// used to spin forever), EACCES (as an unprivileged user: root bypasses mode
// bits), and a read-only bind mount of a populated data dir (in a private
// mount namespace, when the machine allows it). Each run must end normally,
// say ONE warning naming the path and the reason, and still send its session
// (init and exited, or crashed) and its events live.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { APPS, events, sessions, tempDir, useCollector, waitFor } from './helpers.js';

let c: Collector;
useCollector((x) => (c = x));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs apps/unwritable.mjs, optionally as another user or behind a shell prefix (mount namespace); killed after 30 s. */
function run(env: Record<string, string>, opts: { uid?: number; prefix?: string[] } = {}): Promise<Run> {
  const app = path.join(APPS, 'unwritable.mjs');
  const [cmd, args] = opts.prefix ? [opts.prefix[0]!, [...opts.prefix.slice(1), process.execPath, app]] : [process.execPath, [app]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CRASHFREE_DSN: c.dsn, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined && { uid: opts.uid, gid: opts.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const field = (out: string, name: string): string | undefined => new RegExp(`^${name} (.*)$`, 'm').exec(out)?.[1];

/** Asserts the run's one warning and its live delivery; returns the warning. */
async function expectMemoryOnly(result: Run, dataDir: string, release: string, ending: 'exited' | 'crashed'): Promise<string> {
  const warnings = result.stderr.split('\n').filter((l) => l.includes('[crashfree]'));
  expect(warnings, result.stderr).toHaveLength(1);
  expect(warnings[0]).toContain(dataDir);
  expect(warnings[0]).toMatch(/not writable \(E[A-Z]+: /);
  expect(field(result.stdout, 'enabled')).toBe('true');
  const native = JSON.parse(field(result.stdout, 'native') ?? '{}') as { enabled?: boolean; reason?: string };
  expect(native.enabled).toBe(false);
  expect(native.reason).toMatch(/data dir is not writable/);
  const sid = field(result.stdout, 'sid');
  expect(sid).toMatch(/^[0-9a-f]{32}$/);
  const updates = await waitFor(() => sessions(c, sid), (u) => u.some((s) => s.status === ending), 10_000);
  expect(updates.filter((u) => u.init === true)).toHaveLength(1);
  expect(updates.map((u) => u.status)).toContain(ending);
  const mine = events(c).filter((e) => e.release === release);
  expect(mine.some((e) => e.exception?.values?.[0]?.value === 'handled with an unwritable data dir')).toBe(true);
  if (ending === 'crashed') expect(mine.some((e) => e.level === 'fatal')).toBe(true);
  return warnings[0]!;
}

describe('an unwritable data dir', () => {
  it('a regular file where the dir should be: one warning, memory-only, sent live', async () => {
    const file = path.join(tempDir('file'), 'data');
    fs.writeFileSync(file, 'not a dir');
    const result = await run({ CF_DATA_DIR: file, RELEASE: 'unwritable@file' });
    expect(result.code, result.stderr).toBe(0);
    expect(await expectMemoryOnly(result, file, 'unwritable@file', 'exited')).toContain('ENOTDIR');
    expect(fs.readFileSync(file, 'utf8')).toBe('not a dir');
  });

  it('a path under a regular file (ENOTDIR), crashing: the crash still reaches the collector', async () => {
    const file = path.join(tempDir('under'), 'data');
    fs.writeFileSync(file, '');
    const dir = path.join(file, 'crashfree');
    const result = await run({ CF_DATA_DIR: dir, RELEASE: 'unwritable@under', ENDING: 'uncaught' });
    expect(result.code, result.stderr).toBe(1);
    expect(await expectMemoryOnly(result, dir, 'unwritable@under', 'crashed')).toContain('ENOTDIR');
  });

  it('a path under /proc: ends (no endless mkdir), one warning', async () => {
    const dir = '/proc/self/crashfree-test';
    const result = await run({ CF_DATA_DIR: dir, RELEASE: 'unwritable@proc' });
    expect(result.code, result.stderr).toBe(0);
    await expectMemoryOnly(result, dir, 'unwritable@proc', 'exited');
  });

  const asRoot = process.getuid?.() === 0;
  // As root, the app runs as nobody: only where nobody can read this checkout.
  const nobodyCanRun =
    !asRoot || spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@crashfree/node')"], { cwd: APPS, uid: 65534, gid: 65534, stdio: 'ignore' }).status === 0;
  it.skipIf(!nobodyCanRun)('EACCES: a dir the process may not write (an unprivileged user when run as root)', async () => {
    const parent = tempDir('eacces');
    // Root ignores mode bits, so the app runs as nobody (65534) against a root-owned 0755 dir.
    fs.chmodSync(parent, asRoot ? 0o755 : 0o500);
    const dir = path.join(parent, 'data');
    const result = await run({ CF_DATA_DIR: dir, RELEASE: 'unwritable@eacces' }, asRoot ? { uid: 65534 } : {});
    fs.chmodSync(parent, 0o700);
    expect(result.code, result.stderr).toBe(0);
    expect(await expectMemoryOnly(result, dir, 'unwritable@eacces', 'exited')).toContain('EACCES');
  });

  // A private mount namespace keeps the read-only bind mount from outliving the run.
  const mountable = process.platform === 'linux' && spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs /mnt'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!mountable)('a read-only mount over a populated data dir: nothing read or removed, sent live', async () => {
    const dir = tempDir('ro');
    // A normal run first, so the dir holds what a previous launch left.
    const first = await run({ CF_DATA_DIR: dir, RELEASE: 'unwritable@ro-first' });
    expect(first.code, first.stderr).toBe(0);
    const before = fs.readdirSync(dir, { recursive: true }).sort();
    const ro = `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"`;
    const result = await run({ CF_DATA_DIR: dir, RELEASE: 'unwritable@ro' }, { prefix: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', ro, dir] });
    expect(result.code, result.stderr).toBe(0);
    expect(await expectMemoryOnly(result, dir, 'unwritable@ro', 'exited')).toContain('EROFS');
    expect(fs.readdirSync(dir, { recursive: true }).sort()).toEqual(before);
  });
});

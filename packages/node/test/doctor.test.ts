// `crashfree doctor`: one screen of what capture this machine gets, exit 1
// when something asked for is off. The native addon, the Crashpad handler,
// the data dir and the DSN are real (the workspace's compiled addon, Debian
// Chromium's handler, a collector on loopback); only where the doctor looks
// for a handler and, for "no binary", the native package's answer are given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Collector } from '@crashfree/collector';

import { formatDoctor, runDoctor } from '../src/doctor.js';
import { collector, removeTempDirs, tempDir } from './helpers.js';

const HANDLER = '/usr/lib/chromium/chrome_crashpad_handler';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'crashfree.js');
let c: Collector;

beforeAll(async () => {
  c = await collector();
});
afterAll(async () => {
  await c?.close();
  removeTempDirs();
});

/** Runs the bin without blocking this process (the collector answering the DSN check lives here). */
function bin(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (_e, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }));
  });
}

const byName = (checks: Awaited<ReturnType<typeof runDoctor>>['checks']) => Object.fromEntries(checks.map((x) => [x.name, x]));

describe('crashfree doctor', () => {
  it('all good: binary, handler, alt stack, chaining, JS stack, private data dir, DSN answering; exit 0', async () => {
    const { checks, exitCode } = await runDoctor({ dsn: c.dsn, dataDir: path.join(tempDir('doctor'), 'data'), knownHandlerPaths: [HANDLER], env: {} });
    const all = byName(checks);
    expect(all['native binary']).toMatchObject({ level: 'ok', text: expect.stringMatching(/^(compiled on this machine|prebuilt)/) });
    expect(all['crash handler']).toMatchObject({ level: 'ok', text: `${HANDLER} (found): Crashpad writes the minidumps` });
    expect(all['alt stack']!.level).toBe('ok');
    expect(all['chaining']!.level).toBe('ok');
    expect(all['JS stack']!.level).toBe('ok');
    expect(all['data dir']).toMatchObject({ level: 'ok', text: expect.stringContaining('writable, mode 0700') });
    expect(all['DSN']).toMatchObject({ level: 'ok', text: expect.stringMatching(/answered HTTP 200$/) });
    expect(exitCode).toBe(0);
    expect(formatDoctor(checks, 'header').split('\n').at(-1)).toBe('capture is fully on.');
  });

  it('no handler found: in-process minidumps, a warning with where to get one, exit 0; a configured handler that cannot run: exit 1', async () => {
    const found = await runDoctor({ dataDir: tempDir('doctor'), knownHandlerPaths: [], env: {} });
    expect(byName(found.checks)['crash handler']).toMatchObject({ level: 'warn', text: expect.stringContaining('no Crashpad handler found'), fix: expect.stringContaining('apt-get install chromium-common') });
    expect(found.exitCode).toBe(0);
    const asked = await runDoctor({ dataDir: tempDir('doctor'), crashpadHandlerPath: '/nonexistent/crashpad_handler', knownHandlerPaths: [HANDLER], env: {} });
    expect(byName(asked.checks)['crash handler']).toMatchObject({ level: 'fail', text: expect.stringContaining('the configured handler cannot run') });
    expect(asked.exitCode).toBe(1);
  });

  it('no binary: the reason and the fix from the package, JS capture said to work, exit 1', async () => {
    const probeNative = () => ({ installed: true, ok: false, reason: 'no prebuilt binary for linux-riscv64 (glibc), and pnpm did not run its build script', fix: 'pnpm approve-builds (select @crashfree/native), then pnpm rebuild @crashfree/native' });
    const { checks, exitCode } = await runDoctor({ dataDir: tempDir('doctor'), probeNative, env: {} });
    expect(byName(checks)['native binary']).toMatchObject({ level: 'fail', text: expect.stringContaining('linux-riscv64'), fix: expect.stringContaining('pnpm approve-builds') });
    expect(byName(checks)['native binary']!.text).toContain('JS crashes are still captured');
    expect(exitCode).toBe(1);
    const text = formatDoctor(checks, 'header');
    expect(text).toMatch(/FAIL {2}native binary/);
    expect(text).toMatch(/fix: pnpm approve-builds/);
  });

  it('unwritable data dir: named with the error, exit 1; a data dir others can read: a warning with chmod', async () => {
    const root = tempDir('doctor');
    writeFileSync(path.join(root, 'a-file'), '');
    // (Permission bits do not stop root, which runs CI here: a path through a file does.)
    const { checks, exitCode } = await runDoctor({ dataDir: path.join(root, 'a-file', 'data'), knownHandlerPaths: [HANDLER], env: {} });
    expect(byName(checks)['data dir']).toMatchObject({ level: 'fail', text: expect.stringContaining('cannot be written (ENOTDIR)') });
    expect(exitCode).toBe(1);
    const open = path.join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    const loose = await runDoctor({ dataDir: open, knownHandlerPaths: [HANDLER], env: {} });
    expect(byName(loose.checks)['data dir']).toMatchObject({ level: 'warn', fix: `chmod 700 ${open}` });
  });

  it('a DSN whose key is refused fails; the bin prints the screen and exits with the verdict', async () => {
    const bad = c.dsn.replace(/\/\/[^@]+@/, '//0000@');
    const r = await runDoctor({ dsn: bad, dataDir: tempDir('doctor'), knownHandlerPaths: [HANDLER], env: {} });
    expect(byName(r.checks)['DSN']).toMatchObject({ level: 'fail', text: expect.stringContaining('HTTP 401') });

    const run = await bin(['doctor', '--dsn', c.dsn, '--data-dir', path.join(tempDir('doctor'), 'd'), '--crashpad-handler', HANDLER]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^crashfree doctor: @crashfree\/node /);
    expect(run.stdout).toMatch(/ok {4}crash handler +\/usr\/lib\/chromium\/chrome_crashpad_handler \(crashpadHandlerPath\)/);
    expect(run.stdout.split('\n').length).toBeLessThan(25);
    const usage = await bin(['doctor', '--bogus']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('unknown argument "--bogus"');
  });
});

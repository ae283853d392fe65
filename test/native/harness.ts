// Crash-matrix plumbing: builds the test-only crasher addon and its breakpad
// symbols, runs the fixture app in child processes, and reads minidumps with
// breakpad's minidump_stackwalk (npm `minidump`, prebuilt).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const NATIVE_DIR = path.resolve(here, '../../native');
export const APP = path.join(here, 'fixtures', 'crash-app.mjs');
const BREAKPAD = path.join(path.dirname(require.resolve('minidump/package.json')), 'bin', 'linux-x64');
export const CRASHPAD_HANDLER = '/usr/lib/chromium/chrome_crashpad_handler';

/** Builds native/build/crasher/crasher.node and a symbol store for it; returns both paths. */
export function buildCrasher(): { crasher: string; symbols: string } {
  const build = path.join(NATIVE_DIR, 'build', 'crasher');
  const include = execFileSync(process.execPath, ['-p', "require('node-api-headers').include_dir"], { cwd: NATIVE_DIR, encoding: 'utf8' }).trim();
  for (const args of [
    ['-S', path.join(NATIVE_DIR, 'test', 'crasher'), '-B', build, `-DNODE_API_INCLUDE=${include}`, '-DCMAKE_BUILD_TYPE=RelWithDebInfo'],
    ['--build', build],
  ]) {
    const r = spawnSync('cmake', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  }
  const crasher = path.join(build, 'crasher.node');
  const symbols = path.join(build, 'symbols');
  const sym = execFileSync(path.join(BREAKPAD, 'dump_syms'), [crasher], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const [, , , id, name] = sym.slice(0, sym.indexOf('\n')).split(' ');
  mkdirSync(path.join(symbols, name!, id!), { recursive: true });
  writeFileSync(path.join(symbols, name!, id!, `${name}.sym`), sym);
  return { crasher, symbols };
}

/** How a child run ended. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid?: number;
}

/** Runs the fixture app; a hang is killed after `timeoutMs` (and then shows up as SIGKILL). */
export function runApp(args: string[], env: Record<string, string>, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...nodeArgs, APP, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (_e, stdout, stderr) =>
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr, ...(child.pid !== undefined && { pid: child.pid }) }),
    );
  });
}

/** What minidump_stackwalk says about a dump. */
export interface Stackwalk {
  text: string;
  crashReason: string;
  /** Function names of the crashed thread's frames, innermost first. */
  crashedFrames: string[];
}

/** Runs breakpad's minidump_stackwalk with the crasher's symbols. */
export function stackwalk(dump: string, symbols: string): Stackwalk {
  const r = spawnSync(path.join(BREAKPAD, 'minidump_stackwalk'), [dump, symbols], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const text = r.stdout ?? '';
  const crashReason = /^Crash reason:\s+(.*)$/m.exec(text)?.[1]?.trim() ?? '';
  const crashed = text.split(/\n(?=Thread \d+)/).find((t) => /^Thread \d+ \(crashed\)/.test(t)) ?? '';
  const crashedFrames = [...crashed.matchAll(/^\s*\d+\s+\S+!([A-Za-z_][\w:~<>]*)/gm)].map((m) => m[1]!);
  return { text, crashReason, crashedFrames };
}

/** Reads a minidump's bytes (to check its signature). */
export function readHead(file: string): string {
  return readFileSync(file).subarray(0, 4).toString('latin1');
}

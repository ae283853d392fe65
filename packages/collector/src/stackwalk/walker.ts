/**
 * Stackwalking off the ingest path: every stored minidump is queued here and
 * walked by Breakpad's `minidump_stackwalk` (as the npm `minidump` package
 * ships it, prebuilt; or `CRASHFREE_MINIDUMP_STACKWALK`) in a bounded pool of
 * child processes, so a dump never delays a 200 and a hostile one costs at
 * most one bounded child:
 * - `concurrency` children at once (default 1), `maxQueue` dumps waiting
 *   (default 1,000; beyond it a dump is marked `skipped` and stays stored);
 * - each child has `cpuSeconds` of CPU (default 10 s, RLIMIT_CPU), an
 *   address-space limit (`memoryBytes`, default 1 GiB), both through
 *   util-linux `prlimit` where it exists, `timeoutMs` of wall time (default
 *   60 s, then SIGKILL: a loaded machine stretches wall time, not CPU time,
 *   so CPU is the limit that holds a runaway walk) and `maxOutputBytes` of
 *   output (default 8 MiB);
 * - the child runs at the lowest CPU priority (`nice 19`), so walking never
 *   competes with ingest.
 * Why Breakpad's tool rather than a JS minidump reader: it is the reference
 * implementation of the format and of the x86-64/arm64 unwinders (CFI,
 * frame pointers, stack scanning), ships prebuilt, and runs in another
 * process, which is what makes its time and memory boundable.
 * The walk uses no symbols (module + offset frames); naming frames from
 * uploaded symbols happens when the event is read, so symbols uploaded after
 * the crash still apply. Results are JSON files `<dir>/<event_id>.json`
 * (0600), read on demand: restarting keeps them, and dumps stored without
 * one (the collector stopped mid-walk) are queued again at start.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { openPrivate } from '../storage/private-fs.js';
import { parseMachineOutput, type StackwalkResult } from './machine-output.js';

/** What a walk of one dump came to. */
export type WalkState =
  | { status: 'pending' }
  | { status: 'done'; ms: number; result: StackwalkResult }
  | { status: 'failed' | 'skipped'; reason: string };

/** Options of `createStackwalker`. */
export interface StackwalkerOptions {
  /** The `minidump_stackwalk` binary; null turns walking off (dumps stay stored, unwalked). */
  tool: string | null;
  /** Where results go. */
  dir: string;
  concurrency?: number;
  maxQueue?: number;
  timeoutMs?: number;
  cpuSeconds?: number;
  memoryBytes?: number;
  maxOutputBytes?: number;
  /** Told once when a dump arrives and no tool can walk it. */
  log?: (line: string) => void;
}

/** The pool of one collector. */
export interface Stackwalker {
  /** Queues the dump of `eventId` (32 hex); a second call for the same id is ignored. Never throws. */
  enqueue(eventId: string, dumpPath: string): void;
  /** The walk's state; undefined when the event has no dump queued or walked. */
  state(eventId: string): Promise<WalkState | undefined>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Stops taking work and kills running children. */
  close(): void;
  stats(): { queued: number; running: number; walked: number; failed: number; skipped: number };
}

/** The prebuilt `minidump_stackwalk` of the npm `minidump` package for this platform, or null. */
export function findStackwalkTool(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env['CRASHFREE_MINIDUMP_STACKWALK'];
  if (given) return given;
  try {
    const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const dir = path.dirname(require.resolve('minidump/package.json'));
    const tool = path.join(dir, 'bin', `${process.platform}-${process.arch}`, 'minidump_stackwalk');
    accessSync(tool, constants.X_OK);
    return tool;
  } catch {
    return null;
  }
}

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => existsSync(p));

/** Creates the pool; results under `options.dir` (which must exist, 0700). */
export function createStackwalker(options: StackwalkerOptions): Stackwalker {
  const { tool, dir, concurrency = 1, maxQueue = 1_000, timeoutMs = 60_000, cpuSeconds = 10, memoryBytes = 1 << 30, maxOutputBytes = 8 << 20 } = options;
  const queue: Array<{ eventId: string; dumpPath: string }> = [];
  const pending = new Set<string>();
  const children = new Set<ReturnType<typeof spawn>>();
  let running = 0;
  let closed = false;
  const counts = { walked: 0, failed: 0, skipped: 0 };
  let idleWaiters: Array<() => void> = [];
  let toldUnavailable = false;
  const NO_TOOL = 'no minidump_stackwalk: install the npm package "minidump" beside the collector (npm install --ignore-scripts minidump) or set CRASHFREE_MINIDUMP_STACKWALK';

  const resultFile = (eventId: string): string => path.join(dir, `${eventId}.json`);

  const save = async (eventId: string, state: WalkState): Promise<void> => {
    const file = resultFile(eventId);
    const tmp = `${file}.tmp`;
    const fh = await openPrivate(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify(state));
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  };

  /** Runs the tool on one dump; resolves its state (never rejects). */
  const walk = (dumpPath: string): Promise<WalkState> =>
    new Promise((resolve) => {
      const started = Date.now();
      const argv = [tool!, '-m', dumpPath];
      const limited = PRLIMIT ? [PRLIMIT, `--as=${memoryBytes}`, `--cpu=${cpuSeconds}`, '--', ...argv] : argv;
      const cmd = NICE ? [NICE, '-n', '19', ...limited] : limited;
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (e) {
        resolve({ status: 'failed', reason: `could not start minidump_stackwalk: ${String(e)}` });
        return;
      }
      children.add(child);
      const chunks: Buffer[] = [];
      let bytes = 0;
      let reason: string | undefined;
      const timer = setTimeout(() => {
        reason = `took longer than ${timeoutMs} ms`;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes > maxOutputBytes) {
          reason ??= `printed more than ${maxOutputBytes} bytes`;
          child.kill('SIGKILL');
        } else chunks.push(d);
      });
      child.on('error', (e) => {
        reason ??= `minidump_stackwalk failed to run: ${e.message}`;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        children.delete(child);
        if (reason) return resolve({ status: 'failed', reason });
        const result = parseMachineOutput(Buffer.concat(chunks).toString('utf8'));
        // Breakpad exits non-zero for a dump it cannot read at all; what it could read still counts.
        if (code !== 0 && !result.reason && result.frames.length === 0) {
          if (signal === 'SIGXCPU' || signal === 'SIGKILL') return resolve({ status: 'failed', reason: `used more than ${cpuSeconds} s of CPU` });
          return resolve({ status: 'failed', reason: signal ? `minidump_stackwalk was killed (${signal}; over ${memoryBytes} bytes of memory?)` : `not a readable minidump (minidump_stackwalk exited ${code})` });
        }
        resolve({ status: 'done', ms: Date.now() - started, result });
      });
    });

  const settleIdle = (): void => {
    if (running > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const next = (): void => {
    while (!closed && running < concurrency && queue.length > 0) {
      const { eventId, dumpPath } = queue.shift()!;
      running += 1;
      void walk(dumpPath)
        .then(async (state) => {
          if (closed) return;
          counts[state.status === 'done' ? 'walked' : 'failed'] += 1;
          await save(eventId, state);
        })
        .catch(() => undefined)
        .finally(() => {
          pending.delete(eventId);
          running -= 1;
          next();
          settleIdle();
        });
    }
  };

  return {
    enqueue(eventId, dumpPath) {
      if (closed || pending.has(eventId) || !/^[0-9a-f]{32}$/.test(eventId)) return;
      if (!tool) {
        if (!toldUnavailable) options.log?.(`crashfree-collector: minidumps are stored but not stackwalked (${NO_TOOL})`);
        toldUnavailable = true;
        return;
      }
      if (queue.length >= maxQueue) {
        counts.skipped += 1;
        void save(eventId, { status: 'skipped', reason: `more than ${maxQueue} dumps were waiting` }).catch(() => undefined);
        return;
      }
      pending.add(eventId);
      queue.push({ eventId, dumpPath });
      next();
    },
    async state(eventId) {
      if (pending.has(eventId)) return { status: 'pending' };
      if (!/^[0-9a-f]{32}$/.test(eventId)) return undefined;
      try {
        return JSON.parse(await readFile(resultFile(eventId), 'utf8')) as WalkState;
      } catch {
        return undefined;
      }
    },
    idle: () => (running === 0 && queue.length === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))),
    close() {
      closed = true;
      queue.length = 0;
      for (const c of children) c.kill('SIGKILL');
      settleIdle();
    },
    stats: () => ({ queued: queue.length, running, ...counts }),
  };
}

/** Whether a stored result exists for `eventId` (no read). */
export function hasResult(dir: string, eventId: string): boolean {
  return existsSync(path.join(dir, `${eventId}.json`));
}

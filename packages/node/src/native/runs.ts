/**
 * Per-run directories under `<dataDir>/native/`: each process that installs
 * native capture gets `<pid>-<ms>/` holding its crash record, its in-process
 * minidump and its Crashpad database. A run is dead when its owner process
 * is gone (pid + kernel start time, so a reused pid is not mistaken for it).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The files of one run. */
export interface RunPaths {
  dir: string;
  name: string;
  record: string;
  minidump: string;
  database: string;
}

/** Paths inside a run directory. */
export function runPaths(root: string, name: string): RunPaths {
  const dir = path.join(root, name);
  return { dir, name, record: path.join(dir, 'record'), minidump: path.join(dir, 'inprocess.dmp'), database: path.join(dir, 'crashpad') };
}

/**
 * The kernel start time of a running process (clock ticks since boot), or
 * undefined when it is gone. A zombie counts as gone: it has died, only its
 * parent has not reaped it yet, and the SDK's session liveness already
 * treats it as dead, so its crash must be collected in the same pass that
 * ends its session (else the session is recovered `abnormal`).
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Creates this process's run directory (0700) with its owner marker. */
export function createRun(root: string, now = Date.now()): RunPaths {
  const run = runPaths(root, `${process.pid}-${now}`);
  // One level at a time, not recursive: the data dir exists, and Node's recursive mkdir can spin forever on a virtual filesystem.
  for (const dir of [root, run.dir]) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  writeFileSync(path.join(run.dir, 'owner'), `${process.pid} ${startTime(process.pid) ?? ''}\n`, { mode: 0o600 });
  return run;
}

/** Whether the process that owned a run is still running (a zombie is not). */
export function runIsAlive(run: RunPaths): boolean {
  let owner: string;
  try {
    owner = readFileSync(path.join(run.dir, 'owner'), 'utf8').trim();
  } catch {
    // No marker: a run being created right now, or debris; only old debris counts as dead.
    try {
      return Date.now() - statSync(run.dir).mtimeMs < 60_000;
    } catch {
      return false;
    }
  }
  const [pid, start] = owner.split(' ');
  const now = startTime(Number(pid));
  return now !== undefined && (start === undefined || start === '' || now === start);
}

/** Every run directory under root, oldest first (by the time in its name). */
export function listRuns(root: string): RunPaths[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+-\d+$/.test(n))
    .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]))
    .map((n) => runPaths(root, n));
}

/** Minidumps the Crashpad handler finished for a run (pending or completed reports). */
export function crashpadDumps(run: RunPaths): string[] {
  const out: string[] = [];
  for (const sub of ['pending', 'completed']) {
    const dir = path.join(run.database, sub);
    try {
      for (const n of readdirSync(dir)) if (n.endsWith('.dmp')) out.push(path.join(dir, n));
    } catch {
      // no such directory: the handler never ran or wrote nothing
    }
  }
  return out;
}

/** Deletes a run directory; never throws. */
export function removeRun(run: RunPaths): void {
  try {
    rmSync(run.dir, { recursive: true, force: true });
  } catch {
    // best effort: a leftover is retried on the next launch
  }
}

/**
 * Whether a run is crashing right now: its process is alive but its signal
 * handler already wrote the crash record (the first thing it does), so it is
 * inside the handler, e.g. waiting for the Crashpad handler to dump it.
 */
export function runIsCrashing(run: RunPaths): boolean {
  return existsSync(run.record) && runIsAlive(run);
}

/**
 * Who owns a persisted session, and whether that run is still alive. On
 * Linux a run is its pid plus the process start time from /proc/<pid>/stat
 * (in clock ticks since boot) plus the boot id, so a pid recycled after a
 * crash or a reboot is never mistaken for the owner. Elsewhere a run holds a
 * lock file it keeps refreshing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Liveness, OwnerMarker } from '@crashfree/core';
import { ensurePrivateDir, writeFileAtomicSync } from './store.js';

/** The identity of one process run on Linux. */
interface ProcIdentity {
  pid: number;
  start: string;
  boot: string;
}

/**
 * Start time of `pid` (field 22 of /proc/<pid>/stat), or undefined when the
 * process does not exist. The command name (field 2) may contain spaces and
 * parentheses, so fields are counted after the last `)`.
 */
export function readProcStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19].
  const start = rest[19];
  // A zombie has exited: it owns nothing any more.
  return start && rest[0] !== 'Z' ? start : undefined;
}

function readBootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
  } catch {
    return '';
  }
}

/** Whether this platform exposes /proc/<pid>/stat (Linux). */
export function hasProcfs(): boolean {
  return readProcStartTime(process.pid) !== undefined;
}

/** Liveness from /proc: pid + start time + boot id. */
export function createProcLiveness(): Liveness {
  const self: ProcIdentity = { pid: process.pid, start: readProcStartTime(process.pid) ?? '', boot: readBootId() };
  return {
    owner: () => ({ ...self }),
    async isAlive(owner: OwnerMarker) {
      const { pid, start, boot } = owner;
      if (typeof pid !== 'number' || typeof start !== 'string') return false;
      if (typeof boot === 'string' && boot !== self.boot) return false;
      return readProcStartTime(pid) === start;
    },
  };
}

/** How often a run refreshes its lock file, and after how long without a refresh it counts as gone. */
const LOCK_REFRESH_MS = 10_000;
const LOCK_STALE_MS = 3 * LOCK_REFRESH_MS;

/**
 * Fallback liveness where /proc is missing: a lock file per run,
 * `<dir>/<run id>.lock`, refreshed (mtime) every 10 s by an unref'd timer.
 * An owner is alive while its pid exists and its lock is fresh, so a run
 * killed outright stops counting within 30 s, and a recycled pid (which
 * never refreshes that run's lock) is not taken for the owner.
 */
export function createMarkerLiveness(dir: string): Liveness {
  ensurePrivateDir(dir);
  const run = randomUUID();
  const lock = path.join(dir, `${run}.lock`);
  writeFileAtomicSync(lock, String(process.pid));
  const refresh = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(lock, now, now);
    } catch {
      // Removed under us: recreate it, the run is still alive.
      try {
        writeFileAtomicSync(lock, String(process.pid));
      } catch {
        // The data dir is gone; recovery will treat this run as dead, which is safe.
      }
    }
  }, LOCK_REFRESH_MS);
  refresh.unref();
  process.once('exit', () => fs.rmSync(lock, { force: true }));
  return {
    owner: () => ({ pid: process.pid, run }),
    async isAlive(owner: OwnerMarker) {
      const { pid, run: ownerRun } = owner;
      if (typeof pid !== 'number' || typeof ownerRun !== 'string' || !/^[0-9a-f-]{36}$/.test(ownerRun)) return false;
      if (ownerRun === run) return true;
      let mtimeMs: number;
      try {
        mtimeMs = fs.statSync(path.join(dir, `${ownerRun}.lock`)).mtimeMs;
      } catch {
        return false;
      }
      if (Date.now() - mtimeMs > LOCK_STALE_MS) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        // EPERM: the pid exists (another user's process); with a fresh lock, it is the owner.
        return (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
}

/** The best liveness for this platform; `markerDir` is used only without /proc. */
export function createLiveness(markerDir: string): Liveness {
  return hasProcfs() ? createProcLiveness() : createMarkerLiveness(markerDir);
}

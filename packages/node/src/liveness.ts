/**
 * Who owns a persisted session, and whether that run is still alive. On
 * Linux a run is its pid plus the process start time from /proc/<pid>/stat
 * (in clock ticks since boot) plus the boot id, so a pid recycled after a
 * crash or a reboot is never mistaken for the owner. Elsewhere a run is its
 * pid plus a random run id written to a per-pid marker file.
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

/**
 * Fallback liveness where /proc is missing: the run writes `<dir>/<pid>`
 * holding its run id. An owner is alive when its pid exists and the marker
 * still holds its run id; a later run of the SDK with the same pid overwrites
 * the marker, so only a recycled pid taken by a non-crashfree process can be
 * mistaken (until that process exits).
 */
export function createMarkerLiveness(dir: string): Liveness {
  ensurePrivateDir(dir);
  const run = randomUUID();
  writeFileAtomicSync(path.join(dir, String(process.pid)), run);
  return {
    owner: () => ({ pid: process.pid, run }),
    async isAlive(owner: OwnerMarker) {
      const { pid, run: ownerRun } = owner;
      if (typeof pid !== 'number' || typeof ownerRun !== 'string') return false;
      if (pid === process.pid) return ownerRun === run;
      try {
        process.kill(pid, 0);
      } catch (error) {
        // EPERM: it exists but belongs to someone else, so it is not our run.
        if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
      }
      try {
        return fs.readFileSync(path.join(dir, String(pid)), 'utf8') === ownerRun;
      } catch {
        return false;
      }
    },
  };
}

/** The best liveness for this platform; `markerDir` is used only without /proc. */
export function createLiveness(markerDir: string): Liveness {
  return hasProcfs() ? createProcLiveness() : createMarkerLiveness(markerDir);
}

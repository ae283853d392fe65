/**
 * Next-launch collection: dead runs under `<dataDir>/native/` become one
 * fatal event each, with their minidump attached (Crashpad's if it wrote
 * one, else the in-process one) and deleted once the backend accepted it.
 * Storage is bounded: the oldest crashed runs beyond MAX_CRASHED_RUNS are
 * dropped, and an oversized minidump is left out of the envelope.
 */
import type { ExternalCrash } from '@crashfree/core';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { buildNativeCrashEvent, type NativeCrashFound } from './event.js';
import { parseCrashRecord } from './record.js';
import { crashpadDumps, listRuns, removeRun, runIsAlive, type RunPaths } from './runs.js';

/** Crashed runs kept waiting for delivery; older ones are dropped. */
export const MAX_CRASHED_RUNS = 20;
/** Minidumps larger than this are not attached (the event still goes). */
export const MAX_MINIDUMP_BYTES = 20 * 1024 * 1024;

function mtime(p: string): number | undefined {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

function inspectRun(run: RunPaths, warn: (m: string) => void): NativeCrashFound | undefined {
  let record;
  try {
    record = parseCrashRecord(readFileSync(run.record, 'utf8'));
    if (!record) warn(`[crashfree] skipping an unreadable native crash record: ${run.record}`);
  } catch {
    record = undefined; // no record: a clean exit, or only a minidump
  }
  const crashpad = crashpadDumps(run);
  const inprocess = mtime(run.minidump) !== undefined ? run.minidump : undefined;
  const dumpPath = crashpad[0] ?? inprocess;
  if (!record && !dumpPath) return undefined;
  return {
    runName: run.name,
    ...(record && { record }),
    ...(dumpPath && { minidump: { path: dumpPath, writer: crashpad[0] ? ('crashpad' as const) : ('inprocess' as const) } }),
    fallbackTimeMs: (dumpPath && mtime(dumpPath)) || Date.now(),
  };
}

/** What one next-launch scan of the run directories found. */
export interface CollectedNativeCrashes {
  /** One fatal event per dead run that crashed, oldest first, at most MAX_CRASHED_RUNS. */
  crashes: ExternalCrash[];
  /**
   * Crashed runs deleted unsent because they were beyond MAX_CRASHED_RUNS:
   * each one is a lost error event, to be counted as a client report
   * (`recordDroppedEvent('queue_overflow', 'error')`).
   */
  dropped: number;
}

/** Finds dead runs' native crashes; removes dead runs that did not crash. Never throws. */
export function collectFromRuns(root: string, log: (m: string) => void): CollectedNativeCrashes {
  const crashed: Array<{ run: RunPaths; found: NativeCrashFound }> = [];
  for (const run of listRuns(root)) {
    if (runIsAlive(run)) continue;
    const found = inspectRun(run, log);
    if (found) crashed.push({ run, found });
    else removeRun(run);
  }
  const excess = Math.max(0, crashed.length - MAX_CRASHED_RUNS);
  if (excess > 0) {
    log(`[crashfree] dropping ${excess} undelivered native crash(es) beyond the limit of ${MAX_CRASHED_RUNS}`);
    for (const { run } of crashed.splice(0, excess)) removeRun(run);
  }
  const crashes = crashed.map(({ run, found }) => {
    const crash: ExternalCrash = {
      event: buildNativeCrashEvent(found),
      onDelivered: () => removeRun(run),
    };
    if (found.record?.sid) crash.sid = found.record.sid;
    if (found.minidump) {
      const size = statSync(found.minidump.path, { throwIfNoEntry: false })?.size ?? 0;
      if (size > MAX_MINIDUMP_BYTES) {
        log(`[crashfree] native minidump of ${size} bytes is over ${MAX_MINIDUMP_BYTES}; sending the event without it`);
      } else {
        try {
          crash.attachments = [
            {
              data: readFileSync(found.minidump.path),
              filename: path.basename(found.minidump.path),
              contentType: 'application/octet-stream',
              attachmentType: 'event.minidump',
            },
          ];
        } catch (e) {
          log(`[crashfree] could not read native minidump ${found.minidump.path}: ${String(e)}`);
        }
      }
    }
    return crash;
  });
  return { crashes, dropped: excess };
}

/**
 * Housekeeping after recovery: removes what settled runs left in the data
 * dir, so a data dir stays bounded in files however many runs it has seen
 * (1,000 launches leave a handful of files, not thousands). A run is settled
 * when its process is gone and the next launch has taken over its state;
 * what a settled run leaves and who removes it is listed in the README's
 * "Data dir" section. Everything here is best effort and never throws.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Liveness } from '@crashfree/core';
import { pruneSettledClaims } from './claim.js';
import type { DataDirLayout } from './data-dir.js';
import { removeSettledRunMeta } from './fatal-report.js';
import { pidGone, type FileStore } from './store.js';

/** A lock file (no-/proc liveness) not refreshed for this long belongs to a run that is gone (its refresh is every 10 s). */
const STALE_LOCK_MS = 60_000;

/** What {@link sweepSettledRuns} needs. */
export interface SweepContext {
  layout: DataDirLayout;
  store: FileStore;
  /** The plain liveness, without recovery claims: asking it claims nothing. */
  inner: Liveness;
  log: (message: string) => void;
}

/** Temp files (`.tmp-<pid>…`) in `dir` whose writer is gone. */
function removeDeadTemps(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const temp = /\.tmp-(\d+)/.exec(name);
    if (temp && pidGone(Number(temp[1]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Lock files of the no-/proc liveness that stopped being refreshed. */
function removeStaleLocks(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_LOCK_MS) fs.rmSync(file, { force: true });
    } catch {
      // Removed by its owner at exit, or by another sweeper.
    }
  }
}

/** Removes settled runs' leftovers: store temps, claims of ended holders, report metadata, hang-state temps, stale locks. */
export async function sweepSettledRuns(ctx: SweepContext): Promise<void> {
  const { layout } = ctx;
  const step = async (what: string, work: () => unknown): Promise<void> => {
    try {
      await work();
    } catch (e) {
      ctx.log(`[crashfree] could not clean up ${what}: ${String(e)}`);
    }
  };
  await step('temp files', () => ctx.store.sweepTemps());
  await step('recovery claims', () => pruneSettledClaims(layout.claims, ctx.inner));
  await step('fatal-report metadata', () => removeSettledRunMeta(layout.reports, ctx.inner));
  await step('hang-state temp files', () => removeDeadTemps(layout.anr));
  await step('liveness locks', () => removeStaleLocks(layout.live));
}

/**
 * Next launch, concurrent with a crash: another process over the same data
 * dir (a cluster worker, a restarted service, a CLI) may be inside its signal
 * handler right now, its record written, Crashpad still dumping it. Its run
 * looks alive, so collection would skip it; but its session is checked a
 * moment later, and if the process has died by then the session is recovered
 * `abnormal` and the crash is sent alone on some later launch. Waiting
 * (bounded by the crash path's own bound) until such runs are dead makes
 * their crash and their session land in the same recovery.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { listRuns, runIsAlive, runIsCrashing } from './runs.js';

/** Poll step while waiting for a crashing process to die. */
const STEP_MS = 20;

/**
 * Resolves once no run under `root` is crashing, or after `timeoutMs`
 * (then says which runs are left for a later launch). Never throws.
 */
export async function waitForCrashingRuns(root: string, timeoutMs: number, log: (m: string) => void): Promise<void> {
  let crashing = listRuns(root).filter(runIsCrashing);
  if (crashing.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  while (crashing.length > 0 && Date.now() < deadline) {
    await sleep(STEP_MS);
    crashing = crashing.filter(runIsAlive);
  }
  if (crashing.length > 0) {
    log(`[crashfree] ${crashing.length} process(es) still inside their crash handler after ${timeoutMs} ms; their crashes are left for the next launch: ${crashing.map((r) => r.name).join(', ')}`);
  }
}

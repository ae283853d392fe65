/**
 * Crash loops on Node: K consecutive runs of app.mjs (K = 2, 3, 10) on one
 * data dir, each dying 0, 10 or 30 ms after `init()` returned — a native
 * crash inside a wrapped addon, an uncaught exception, or SIGKILL — so each
 * dies while its recovery of the previous run may still be in flight; then
 * one clean run. The collector must end with exactly K crashed (abnormal for
 * SIGKILL) sessions, each with its run's did, K crash events for the crash
 * kinds, and the clean run's session: a run dying during recovery loses
 * neither its own session nor the one it was recovering.
 *
 * CI runs each K once per kind with the delays rotated (9 loops);
 * `CRASHFREE_CRASH_LOOP_FULL=1` runs every kind x K x delay (27 loops).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { buildCrasher } from '../../native/harness';
import { launch, sessionsOf, settle, type Kind } from './harness';

const KS = [2, 3, 10];
const DELAYS = [0, 10, 30];
const FULL = process.env.CRASHFREE_CRASH_LOOP_FULL === '1';

let collector: Collector;
let crasher: string | undefined;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-crash-loop-'));

beforeAll(async () => {
  collector = await startCollector({ port: 0, log: () => undefined });
  try {
    crasher = buildCrasher().crasher;
  } catch (e) {
    console.warn(`[crash-loop] native loops are SKIPPED: the test-only crasher addon could not be built (${String(e).split('\n')[0]})`);
  }
});
afterAll(async () => {
  await collector?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Loop {
  kind: Kind;
  k: number;
  delayMs: number;
}

/** Runs one loop; resolves with what the collector has for it once settled. */
async function runLoop(loop: Loop): Promise<{ loop: Loop; problems: string[] }> {
  const name = `${loop.kind}-k${loop.k}-${loop.delayMs}ms`;
  const release = `crash-loop@${name}`;
  const env = { CF_DSN: collector.dsn, CF_DATA_DIR: path.join(scratch, name), ...(crasher && { CF_CRASHER: crasher }) };
  const runs: Array<{ sid: string | undefined; did: string }> = [];
  for (let i = 0; i < loop.k; i++) {
    const did = `${name}-user-${i}`;
    const r = await launch({ kind: loop.kind, delayMs: loop.delayMs, did, userAt: i % 2 === 0 ? 'before' : 'after', release, env });
    runs.push({ sid: r.sid, did });
  }
  const clean = await launch({ kind: 'clean', delayMs: 0, did: `${name}-clean`, userAt: 'after', release, env });
  const sessions = (): ReturnType<typeof sessionsOf> => sessionsOf(collector, release);
  const dying = loop.kind === 'sigkill' ? 'abnormal' : 'crashed';
  const fatal = (): Set<string> =>
    new Set(
      collector
        .items({ type: 'event' })
        .map((i) => i.payload as { event_id?: string; release?: string; level?: string })
        .filter((e) => e.release === release && e.level === 'fatal')
        .map((e) => e.event_id!),
    );
  const wantEvents = loop.kind === 'sigkill' ? 0 : loop.k;
  await settle(() => {
    const s = sessions();
    return runs.every((r) => s.get(r.sid ?? '')?.status === dying) && s.get(clean.sid ?? '')?.status === 'exited' && fatal().size >= wantEvents;
  }, 20_000);
  const s = sessions();
  const problems: string[] = [];
  runs.forEach((r, i) => {
    const got = s.get(r.sid ?? '');
    if (!got) problems.push(`run ${i}: no session`);
    else {
      if (got.status !== dying) problems.push(`run ${i}: ${got.status}`);
      if (got.inits.size !== 1) problems.push(`run ${i}: ${got.inits.size} inits`);
      if (![...got.dids].every((d) => d === r.did) || got.dids.size !== 1) problems.push(`run ${i}: did ${[...got.dids].join(',') || 'none'}`);
    }
  });
  if (s.get(clean.sid ?? '')?.status !== 'exited') problems.push('clean run not exited');
  if (s.size !== loop.k + 1) problems.push(`${s.size} sessions for ${loop.k + 1} runs`);
  if (fatal().size !== wantEvents) problems.push(`${fatal().size} crash events for ${wantEvents}`);
  return { loop, problems };
}

describe('crash loops (Node)', () => {
  it(`K = ${KS.join(', ')} consecutive runs dying 0/10/30 ms after init: K sessions and K crash events, each with its did`, async () => {
    const kinds: Kind[] = crasher ? ['native', 'uncaught', 'sigkill'] : ['uncaught', 'sigkill'];
    const loops: Loop[] = [];
    kinds.forEach((kind, ki) =>
      KS.forEach((k, i) => {
        if (FULL) for (const delayMs of DELAYS) loops.push({ kind, k, delayMs });
        else loops.push({ kind, k, delayMs: DELAYS[(i + ki) % DELAYS.length]! });
      }),
    );
    const results: Array<{ loop: Loop; problems: string[] }> = [];
    // Three loops at a time, each on its own data dir and release.
    for (let i = 0; i < loops.length; i += 3) results.push(...(await Promise.all(loops.slice(i, i + 3).map(runLoop))));
    const failed = results.filter((r) => r.problems.length > 0).map((r) => `${r.loop.kind} K=${r.loop.k} at ${r.loop.delayMs} ms: ${r.problems.join('; ')}`);
    console.log(`[crash-loop] ${results.length} loops, ${failed.length} wrong${failed.length ? `:\n${failed.join('\n')}` : ''}`);
    expect(failed).toEqual([]);
  }, 300_000);
});

// Events are durable when captureException returns: real processes capture
// handled errors and are SIGKILLed 0–20 ms later (seeded random instants,
// half of them spinning so the event loop never turns again), then relaunch
// on the same data dir. The real collector on loopback must hold every event
// exactly once and the dead session's terminal update must count every error.
// CF_RUNS=<n> for a bigger sample, CF_SEED=<n> for another draw.
import { seededRandom as prng } from '@crashfree/core/testing';
import { describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { appEnv, events, runApp, sessions, tempDir, useCollector, waitFor } from './helpers.js';

let c: Collector;
useCollector((x) => (c = x));


const RUNS = Number(process.env.CF_RUNS ?? 12);
const SEED = Number(process.env.CF_SEED ?? 12);

interface Run {
  dataDir: string;
  killMs: number;
  how: 'spin' | 'timer';
  errors: number;
  sid: string;
  ids: string[];
}

async function killedCapture(run: Omit<Run, 'sid' | 'ids'>): Promise<Run> {
  let sid = '';
  let ids: string[] = [];
  const result = await runApp('capture-kill.mjs', {
    env: appEnv(c, run.dataDir, 'capture-kill', { CF_KILL_MS: String(run.killMs), CF_KILL_HOW: run.how, CF_ERRORS: String(run.errors) }),
    onLine: (line) => {
      const m = /^sid (\S+) events (\S+)$/.exec(line);
      if (m) [sid, ids] = [m[1]!, m[2]!.split(',')];
    },
  });
  expect(result.signal, result.stderr).toBe('SIGKILL');
  expect(sid).toMatch(/^[0-9a-f]{32}$/);
  return { ...run, sid, ids };
}

describe('handled errors survive a SIGKILL right after captureException returns', () => {
  it(`${RUNS} runs killed 0–20 ms after capturing: every event exactly once, every error counted (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      // A quarter at 0 ms (killed before captureException's caller gets another statement), the rest uniform up to 20 ms.
      const killMs = i % 4 === 0 ? 0 : Math.round(random() * 200) / 10;
      const run = await killedCapture({ dataDir: tempDir('capture-kill'), killMs, how: i % 2 === 0 ? 'spin' : 'timer', errors: 1 + Math.floor(random() * 3) });
      const relaunch = await runApp('capture-kill.mjs', { env: appEnv(c, run.dataDir, 'relaunch') });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      runs.push(run);
    }
    const wanted = runs.flatMap((r) => r.ids);
    const seen = await waitFor(
      () => events(c).map((e) => e.event_id as string),
      (ids) => wanted.every((id) => ids.includes(id)) && runs.every((r) => sessions(c, r.sid).some((u) => u.status === 'abnormal')),
      15_000,
    );
    const report = runs.map((r) => {
      const final = sessions(c, r.sid).find((u) => u.status === 'abnormal');
      return {
        at: `${r.killMs} ms ${r.how}`,
        events: r.ids.map((id) => seen.filter((x) => x === id).length),
        errors: `${String(final?.errors)}/${r.errors}`,
        inits: sessions(c, r.sid).filter((u) => u.init === true).length,
      };
    });
    const expected = runs.map((r) => ({ at: `${r.killMs} ms ${r.how}`, events: r.ids.map(() => 1), errors: `${r.errors}/${r.errors}`, inits: 1 }));
    expect(report).toEqual(expected);
  });
});

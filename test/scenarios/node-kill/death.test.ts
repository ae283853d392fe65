/**
 * Death at any instant, on Node: real processes of a tiny app (app.mjs) using
 * the built @crashfree/node, each killed at a uniformly random instant 0–300 ms
 * after `init()` returned (a few exactly at 0) by one of four deaths: SIGKILL
 * from this harness, an uncaught exception, `process.exit(0)`, a native crash
 * inside a wrapped addon. Each run is relaunched on its fleet's data dir (the
 * next run recovers the previous one); a last clean run per fleet flushes.
 * What the real collector on loopback stored, and what its sessions API
 * answers, must equal this harness's own ledger: every run counted once, with
 * its user, ending as its death says (SIGKILL abnormal; uncaught and native
 * crashed, each with one crash event; process.exit exited), and crash-free
 * users over the ledger equal to the API's.
 *
 * CI runs a modest sample; more with `CRASHFREE_NODE_KILL_RUNS=100` (runs per
 * fleet) and `CRASHFREE_NODE_KILL_SEED`: `pnpm exec vitest run
 * test/scenarios/node-kill/death.test.ts`. `CRASHFREE_NODE_KILL_KEEP=1` keeps
 * the data dirs and a log per fleet (with `CF_DEBUG=1`, the SDK's debug lines).
 */
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { buildCrasher } from '../../native/harness';
import { api, launch, random, sessionsOf, settle, type Kind } from './harness';

const RUNS = Number(process.env.CRASHFREE_NODE_KILL_RUNS ?? 8);
const FLEETS = 4;
const SEED = Number(process.env.CRASHFREE_NODE_KILL_SEED ?? Date.now() % 100_000);
const USERS = 5;

let collector: Collector;
let crasher: string | undefined;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-node-kill-'));

beforeAll(async () => {
  collector = await startCollector({ port: 0, log: () => undefined });
  try {
    crasher = buildCrasher().crasher;
  } catch (e) {
    console.warn(`[node-kill] the native kind is SKIPPED: the test-only crasher addon could not be built (${String(e).split('\n')[0]})`);
  }
});
afterAll(async () => {
  await collector?.close();
  if (process.env.CRASHFREE_NODE_KILL_KEEP) console.log(`[node-kill] data dirs kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
});

/** The session records and queue entries the fleets left behind (for the failure message). */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /store\/(session|queue|crash)\//.test(f));
}

/** One run that reached `ready` (init returned): what the collector must count. */
interface Entry {
  fleet: number;
  sid: string;
  did: string;
  kind: Kind;
  delayMs: number;
}

const EXPECTED: Record<Kind, string> = { sigkill: 'abnormal', uncaught: 'crashed', native: 'crashed', exit: 'exited', clean: 'exited', short: 'exited', version: 'exited' };

describe('death at any instant after init (Node)', () => {
  it(`${FLEETS} fleets of ${RUNS} runs killed 0–300 ms after init, then a clean run: every run counted once, with its did and its status (seed ${SEED})`, async () => {
    const release = `node-kill@${SEED}`;
    const kinds: Kind[] = crasher ? ['sigkill', 'uncaught', 'exit', 'native'] : ['sigkill', 'uncaught', 'exit'];
    const rand = random(SEED);
    // The whole plan is drawn up front from the seed, so a failing sample replays exactly.
    const plans = Array.from({ length: FLEETS }, (_, fleet) =>
      Array.from({ length: RUNS }, (_, i) => ({
        kind: kinds[Math.floor(rand() * kinds.length)]!,
        delayMs: i % 6 === 0 ? 0 : Math.floor(rand() * 301),
        did: `user-${fleet}-${Math.floor(rand() * USERS)}`,
        userAt: rand() < 0.5 ? 'before' : 'after',
      })),
    );
    const ledger: Entry[] = [];
    const notReady: string[] = [];
    await Promise.all(
      plans.map(async (plan, fleet) => {
        const dataDir = path.join(scratch, `fleet-${fleet}`);
        const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, ...(crasher && { CF_CRASHER: crasher }) };
        for (const run of [...plan, { kind: 'clean' as Kind, delayMs: 0, did: `user-${fleet}-final`, userAt: 'after' }]) {
          const r = await launch({ ...run, release, env });
          if (process.env.CRASHFREE_NODE_KILL_KEEP) appendFileSync(path.join(scratch, `fleet-${fleet}.log`), `== ${run.kind} ${run.delayMs}ms ${r.sid} ${r.code} ${r.signal}\n${r.stdout}${r.stderr}\n`);
          if (r.sid === undefined) notReady.push(`${run.kind} ${run.delayMs}ms: ${r.stderr.slice(0, 300)}`);
          else ledger.push({ fleet, sid: r.sid, did: run.did, kind: run.kind, delayMs: run.delayMs });
        }
      }),
    );
    expect(notReady, 'runs whose init never returned').toEqual([]);
    const terminal = (): boolean => {
      const sessions = sessionsOf(collector, release);
      return ledger.every((e) => sessions.get(e.sid)?.status !== undefined && sessions.get(e.sid)!.status !== 'ok');
    };
    await settle(terminal, 20_000);

    const sessions = sessionsOf(collector, release);
    // A run whose init returned without a session id (nothing started yet) is matched to a stored session of its user left over.
    const known = new Set(ledger.map((e) => e.sid));
    for (const e of ledger.filter((x) => x.sid.startsWith('none-'))) {
      const sid = [...sessions].find(([id, s]) => !known.has(id) && s.dids.has(e.did))?.[0];
      if (sid !== undefined) {
        known.add(sid);
        e.sid = sid;
      }
    }
    const bySid = new Map(ledger.map((e) => [e.sid, e]));
    const at = (e: Entry): string => `${e.kind} ${e.delayMs}ms`;
    const lost = ledger.filter((e) => !sessions.get(e.sid)?.inits.size);
    const extra = [...sessions.keys()].filter((sid) => !bySid.has(sid));
    const doubleInit = [...sessions].filter(([, s]) => s.inits.size > 1).map(([sid]) => sid);
    const withoutInit = [...sessions].filter(([, s]) => s.inits.size === 0).map(([sid]) => bySid.get(sid) ? at(bySid.get(sid)!) : sid);
    const withoutDid = ledger.filter((e) => sessions.has(e.sid) && sessions.get(e.sid)!.dids.size === 0);
    const wrongDid = ledger.filter((e) => sessions.has(e.sid) && sessions.get(e.sid)!.dids.size > 0 && ![...sessions.get(e.sid)!.dids].every((d) => d === e.did));
    const wrongStatus = ledger.filter((e) => sessions.has(e.sid) && sessions.get(e.sid)!.status !== EXPECTED[e.kind]);
    const events = collector.items({ type: 'event' }).map((i) => i.payload as { event_id?: string; release?: string; level?: string });
    // Distinct by event_id, as a backend dedupes a resend of the same event.
    const crashEvents = [...new Set(events.filter((e) => e.release === release && e.level === 'fatal').map((e) => e.event_id))];
    const crashRuns = ledger.filter((e) => e.kind === 'uncaught' || e.kind === 'native');

    // Figures per kind and instant, for the record (also when everything passes).
    const bucket = (ms: number): string => (ms <= 20 ? '0–20' : ms <= 100 ? '21–100' : '101–300');
    const figures: Record<string, string> = {};
    for (const kind of kinds) {
      for (const b of ['0–20', '21–100', '101–300']) {
        const runs = ledger.filter((e) => e.kind === kind && bucket(e.delayMs) === b);
        const bad = runs.filter((e) => lost.includes(e) || withoutDid.includes(e) || wrongStatus.includes(e));
        if (runs.length) figures[`${kind} ${b} ms`] = `${bad.length} of ${runs.length} wrong (lost ${runs.filter((e) => lost.includes(e)).length}, no did ${runs.filter((e) => withoutDid.includes(e)).length}, status ${runs.filter((e) => wrongStatus.includes(e)).length})`;
      }
    }
    const summary = {
      ledger: ledger.length,
      sessions: sessions.size,
      lost: lost.map(at),
      extra,
      doubleInit,
      withoutInit,
      withoutDid: withoutDid.map(at),
      wrongDid: wrongDid.map(at),
      wrongStatus: wrongStatus.map((e) => `${at(e)}: ${sessions.get(e.sid)!.status}`),
      crashEvents: `${crashEvents.length} for ${crashRuns.length} crashing runs`,
    };
    console.log(`[node-kill] seed ${SEED}: ${JSON.stringify(figures, null, 1)}\n${JSON.stringify(summary, null, 1)}`);
    if (lost.length || wrongStatus.length) console.log(`[node-kill] left in the data dirs: ${leftovers(scratch).join(' ')}`);
    for (const e of [...lost, ...wrongStatus]) {
      const trail = collector.items({ type: 'session' }).map((i) => i.payload as { sid: string; seq: number; status: string; init?: boolean }).filter((u) => u.sid === e.sid);
      console.log(`[node-kill] fleet ${e.fleet} ${at(e)} ${e.sid}: ${trail.map((u) => `${u.seq}:${u.status}${u.init ? ':init' : ''}`).join(' ')}`);
    }
    expect(summary).toEqual({ ...summary, lost: [], extra: [], doubleInit: [], withoutInit: [], withoutDid: [], wrongDid: [], wrongStatus: [], sessions: ledger.length });
    expect(crashEvents.length, 'one crash event per crashing run').toBe(crashRuns.length);

    // The release-health API agrees with the ledger: sessions and users per status, and crash-free users.
    const users = new Set(ledger.map((e) => e.did));
    const crashedUsers = new Set(ledger.filter((e) => EXPECTED[e.kind] === 'crashed').map((e) => e.did));
    const count = (status: string): number => ledger.filter((e) => EXPECTED[e.kind] === status).length;
    // As Sentry (and release-health's query.ts) do, a user is counted once, under their worst session: crashed > abnormal > exited.
    const RANK = ['exited', 'abnormal', 'crashed'];
    const worst = new Map<string, number>();
    for (const e of ledger) worst.set(e.did, Math.max(worst.get(e.did) ?? 0, RANK.indexOf(EXPECTED[e.kind])));
    const usersWith = (status: string): number => [...worst.values()].filter((r) => r === RANK.indexOf(status)).length;
    const totals = await api(collector, release);
    expect(totals).toEqual({
      ...(count('crashed') > 0 && { crashed: count('crashed'), 'users:crashed': usersWith('crashed') }),
      ...(count('abnormal') > 0 && { abnormal: count('abnormal'), 'users:abnormal': usersWith('abnormal') }),
      healthy: count('exited'),
      'users:healthy': usersWith('exited'),
      crashFreeUsers: 1 - crashedUsers.size / users.size,
    });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { ApiError, parseGateArgs, runGate, type GateRun } from '@crashfree/release-health';
import { sendSessions, type SessionSpec } from './envelopes.js';
import { startFakeSentry, type FakeSentry, type FakeSession } from './fake-sentry.js';

// The same fleet in the collector and in a Sentry-faithful fake: the gate must
// read the same window and numbers from both, at any time of the UTC day.
const H = 3_600_000;
const AT_0005 = Date.parse('2026-12-05T00:05:00Z');
const AT_2355 = Date.parse('2026-12-05T23:55:00Z');
const FIRST = AT_2355 - 100 * 24 * H;
const STEP = 20 * 60_000;

let clock = AT_0005;
let collector: Collector;
let fake: FakeSentry;
let dataDir: string;
const fleet: FakeSession[] = [];

beforeAll(async () => {
  for (const release of ['1.0.0', '2.0.0']) {
    let i = 0;
    for (let t = FIRST; t < AT_2355; t += STEP, i++) {
      const hour = new Date(t).getUTCHours();
      // 2.0.0 crashes more late in the UTC day, so a shifted window decides differently.
      const crashed = i % 97 === 0 || (release === '2.0.0' && hour === 23 && i % 4 === 0);
      fleet.push({ started: t + (release === '2.0.0' ? 7_000 : 0), release, environment: 'production', project: 1, did: `${release}-u${i % 300}`, crashed });
    }
  }
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rh-contract-'));
  collector = await startCollector({ port: 0, dataDir, now: () => clock });
  const specs: SessionSpec[] = fleet.map((x, n) => ({ sid: `s${n}`, did: x.did, release: x.release, started: new Date(x.started), end: x.crashed ? 'crashed' : 'exited' }));
  await sendSessions(collector.dsn, specs, 'crashfree.node', 1000);
  fake = await startFakeSentry(clock);
  fake.sessions = fleet;
  fake.projects = [{ id: '1', slug: 'backend' }];
}, 120_000);

afterAll(async () => {
  await collector?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function gate(url: string, token: string, period: string, extra: string[] = []): Promise<{ run: GateRun; progress: string[] }> {
  const opts = parseGateArgs(['--url', url, '--org', 'acme', '--token', token, '--release', '2.0.0', '--baseline', '1.0.0', '--environment', 'production', '--min-sessions', '3', '--threshold', '99', '--max-drop', '0.5', '--period', period, '--timeout', '1s', '--poll', '100ms', ...extra]);
  const progress: string[] = [];
  const run = await runGate(opts, { now: () => clock, sleep: async () => {}, progress: (l) => progress.push(l) });
  return { run, progress };
}

function count(start: number, end: number, release: string): { sample: number; failures: number } {
  const list = fleet.filter((x) => x.release === release && x.started >= start && x.started < end);
  return { sample: list.length, failures: list.filter((x) => x.crashed).length };
}

describe('the gate on the collector and on a Sentry-faithful server', () => {
  const periods: Array<[string, number]> = [['1h', H], ['6h', 6 * H], ['24h', 24 * H], ['7d', 168 * H], ['90d', 2160 * H]];
  for (const at of [AT_0005, AT_2355]) {
    for (const [period, ms] of periods) {
      it(`--period ${period} at ${new Date(at).toISOString().slice(11, 16)} UTC: same window, numbers and verdict`, async () => {
        clock = at;
        fake.now = at;
        const onSentry = await gate(fake.url, fake.token, period);
        const onCollector = await gate(collector.url, collector.token, period);
        const w = onSentry.run.candidate.window;
        expect(onCollector.run.candidate.window).toEqual(w);
        // The window covers the asked one and starts at most one interval before it.
        expect(Date.parse(w.start)).toBeLessThanOrEqual(at - ms);
        expect(at - ms - Date.parse(w.start)).toBeLessThan(w.interval);
        expect(Date.parse(w.end)).toBeGreaterThanOrEqual(at);
        expect(w.warning).toBeNull();
        expect(Math.ceil(ms / w.interval) + 1).toBeLessThanOrEqual(1000);
        // The numbers are the fleet's in that window, on both servers.
        const expected = count(Date.parse(w.start), Date.parse(w.end), '2.0.0');
        expect(expected.sample).toBeGreaterThan(0);
        expect(onSentry.run.decision.candidate).toMatchObject(expected);
        expect(onCollector.run.decision.candidate).toEqual(onSentry.run.decision.candidate);
        expect(onCollector.run.decision.baseline).toEqual(onSentry.run.decision.baseline);
        expect(onCollector.run.decision.verdict).toBe(onSentry.run.decision.verdict);
        expect(onCollector.run.decision.reason).toBe(onSentry.run.decision.reason);
      });
    }
  }

  it('reads the last 24 hours at 00:05 UTC, not the six minutes since midnight', async () => {
    clock = AT_0005;
    fake.now = AT_0005;
    const { run } = await gate(fake.url, fake.token, '24h');
    expect(run.candidate.overall.sample).toBeGreaterThanOrEqual(count(AT_0005 - 24 * H, AT_0005, '2.0.0').sample);
    expect(run.candidate.overall.sample).toBeGreaterThan(70);
  });

  it('names projects by slug when Sentry answers numeric ids', async () => {
    clock = AT_2355;
    fake.now = AT_2355;
    const { run } = await gate(fake.url, fake.token, '24h', ['--segment-by', 'project']);
    expect(run.decision.segments.map((s) => s.name)).toEqual(['backend']);
    const local = await gate(collector.url, collector.token, '24h', ['--segment-by', 'project']);
    expect(local.run.decision.segments.map((s) => s.name)).toEqual(['default']);
  });

  it('warns when the server counted another window', async () => {
    fake.override = (body) => ({ ...body, start: '2026-12-05T20:00:00Z' });
    try {
      const { run, progress } = await gate(fake.url, fake.token, '24h');
      expect(run.candidate.window.warning).toContain('off by');
      expect(progress.join('\n')).toContain('crashfree-gate: warning: the server counted 2026-12-05T20:00:00Z');
    } finally {
      fake.override = null;
    }
  });

  it('fails closed (ApiError, exit 3) on answers it cannot interpret, never a pass', async () => {
    const totalsOf = (t: Record<string, unknown>) => (body: Record<string, unknown>) => ({ ...body, groups: [{ by: {}, totals: t, series: {} }] });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ 'sum(session)': 500, 'count_unique(user)': 100, 'crash_free_rate(session)': null, 'crash_free_rate(user)': null }, 'cannot tell how many crashed'],
      [{ 'sum(session)': 500, 'count_unique(user)': 100, 'crash_free_rate(session)': 1.2, 'crash_free_rate(user)': 1 }, 'a rate is a fraction from 0 to 1'],
      [{ 'sum(session)': 500, 'count_unique(user)': 100, 'crash_free_rate(session)': -0.1, 'crash_free_rate(user)': 1 }, 'a rate is a fraction from 0 to 1'],
      [{ 'sum(session)': 500, 'count_unique(user)': 100, 'crash_free_rate(session)': 0.9873, 'crash_free_rate(user)': 1 }, 'the counts disagree'],
      [{ 'sum(session)': 0, 'count_unique(user)': 0, 'crash_free_rate(session)': 0.99, 'crash_free_rate(user)': null }, 'the counts disagree'],
      [{ 'sum(session)': 'many', 'count_unique(user)': 1, 'crash_free_rate(session)': 1, 'crash_free_rate(user)': 1 }, 'expected a whole number'],
    ];
    try {
      for (const [t, reason] of cases) {
        fake.override = totalsOf(t);
        const error = await gate(fake.url, fake.token, '24h').then(() => null, (e: unknown) => e);
        expect(error, JSON.stringify(t)).toBeInstanceOf(ApiError);
        expect((error as Error).message).toContain(reason);
      }
      fake.override = (body) => ({ ...body, start: undefined });
      const noWindow = await gate(fake.url, fake.token, '24h').then(() => null, (e: unknown) => e);
      expect((noWindow as Error).message).toContain('no readable "start"/"end"');
    } finally {
      fake.override = null;
    }
  });
});

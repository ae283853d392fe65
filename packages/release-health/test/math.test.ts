import { describe, expect, it } from 'vitest';
import { SessionIndex, computeMetrics, formatPercent, healthRows, wilsonInterval } from '../src/index.js';
import { T0, feed, population } from './fixtures.js';

function totals(index: SessionIndex, release: string) {
  const g = index.query({ filter: { release } }).groups[0];
  if (!g) throw new Error(`no group for ${release}`);
  return computeMetrics(g.totals);
}

describe('crash-free math (worked numbers)', () => {
  it('100,000 sessions with 200 crashes is 99.8% crash-free; 10,000 with 200 is 98%', () => {
    const index = new SessionIndex();
    feed(index, population('1.0.0', 100_000, 200));
    feed(index, population('1.1.0', 10_000, 200));
    const a = totals(index, '1.0.0');
    expect(a.sessions).toBe(100_000);
    expect(a.crashed).toBe(200);
    expect(a.crashFreeSessions).toBeCloseTo(0.998, 12);
    expect(formatPercent(a.crashFreeSessions, 1)).toBe('99.8%');
    const b = totals(index, '1.1.0');
    expect(b.crashFreeSessions).toBeCloseTo(0.98, 12);
    expect(b.crashFreeUsers).toBeCloseTo(0.98, 12);
  });

  it('ten crashing sessions of one user count ten times for sessions and once for users', () => {
    const index = new SessionIndex();
    const specs = [
      ...Array.from({ length: 10 }, (_, i) => ({ sid: `a${i}`, did: 'alice', release: '2.0', end: 'crashed' as const })),
      ...Array.from({ length: 90 }, (_, i) => ({ sid: `b${i}`, did: `user${i % 9}`, release: '2.0', end: 'exited' as const })),
    ];
    feed(index, specs);
    const m = totals(index, '2.0');
    expect(m.sessions).toBe(100);
    expect(m.crashed).toBe(10);
    expect(m.crashFreeSessions).toBeCloseTo(0.9, 12);
    expect(m.users).toBe(10);
    expect(m.crashedUsers).toBe(1);
    expect(m.crashFreeUsers).toBeCloseTo(0.9, 12);
  });

  it('joins users per release: a user who crashed on 12.3 and now runs 12.4 is not crashed on 12.4', () => {
    const index = new SessionIndex();
    feed(index, [
      { sid: 'x1', did: 'u1', release: '12.3', end: 'crashed' },
      { sid: 'x2', did: 'u2', release: '12.3', end: 'exited' },
      { sid: 'y1', did: 'u1', release: '12.4', end: 'exited', startedMs: T0 + 3_600_000 },
      { sid: 'y2', did: 'u2', release: '12.4', end: 'exited', startedMs: T0 + 3_600_000 },
    ]);
    expect(totals(index, '12.3').crashFreeUsers).toBeCloseTo(0.5, 12);
    expect(totals(index, '12.4').crashFreeUsers).toBe(1);
    expect(totals(index, '12.4').crashedUsers).toBe(0);
    // Without grouping by release u1 did crash in the window.
    const all = computeMetrics(index.query().groups[0]!.totals);
    expect(all.users).toBe(2);
    expect(all.crashedUsers).toBe(1);
  });

  it('classifies outcomes disjointly and reports errored and abnormal rates', () => {
    const index = new SessionIndex();
    feed(index, [
      { sid: 'h', did: 'a', release: 'r', end: 'exited' },
      { sid: 'e', did: 'a', release: 'r', end: 'exited', errors: 3 },
      { sid: 'c', did: 'b', release: 'r', end: 'crashed', errors: 1 },
      { sid: 'k', did: 'c', release: 'r', end: 'abnormal' },
    ]);
    const m = totals(index, 'r');
    expect([m.healthy, m.errored, m.crashed, m.abnormal]).toEqual([1, 1, 1, 1]);
    expect(m.erroredRate).toBe(0.25);
    expect(m.abnormalRate).toBe(0.25);
    // users by worst session: a errored, b crashed, c abnormal
    expect([m.healthyUsers, m.erroredUsers, m.crashedUsers, m.abnormalUsers]).toEqual([0, 1, 1, 1]);
  });

  it('an empty set is "no data", never 100%', () => {
    const index = new SessionIndex();
    expect(index.query().groups).toEqual([]);
    const m = computeMetrics({ sessions: 0, healthy: 0, errored: 0, crashed: 0, abnormal: 0, notTerminated: 0, users: 0, healthyUsers: 0, erroredUsers: 0, crashedUsers: 0, abnormalUsers: 0 });
    expect(m.crashFreeSessions).toBeNull();
    expect(m.crashFreeUsers).toBeNull();
    expect(m.crashFreeSessionsInterval).toBeNull();
    expect(formatPercent(m.crashFreeSessions)).toBe('no data');
    // sessions without a user: sessions have data, users do not
    feed(index, [{ sid: 'anon', release: 'r', end: 'exited' }]);
    const r = totals(index, 'r');
    expect(r.crashFreeSessions).toBe(1);
    expect(r.crashFreeUsers).toBeNull();
  });
});

describe('Wilson interval', () => {
  it('matches the hand-computed 95% interval for 50/100', () => {
    const i = wilsonInterval(50, 100)!;
    expect(i.low).toBeCloseTo(0.40383, 4);
    expect(i.high).toBeCloseTo(0.59617, 4);
  });
  it('stays inside [0, 1] and is wide for a small sample', () => {
    const i = wilsonInterval(10, 10)!;
    expect(i.high).toBe(1);
    expect(i.low).toBeCloseTo(0.72247, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('grouping, adoption and time series', () => {
  it('groups by release × environment × platform and computes adoption', () => {
    const index = new SessionIndex();
    feed(index, population('1.0', 30, 0), 'node');
    feed(index, population('1.1', 10, 1), 'node');
    feed(index, [{ sid: 'b1', did: 'web1', release: '1.1', environment: 'staging', end: 'crashed' }], 'browser');
    const groups = index.query({ groupBy: ['release', 'environment', 'platform'] }).groups;
    expect(groups.map((g) => [g.by.release, g.by.environment, g.by.platform, g.totals.sessions])).toEqual([
      ['1.0', 'production', 'node', 30],
      ['1.1', 'production', 'node', 10],
      ['1.1', 'staging', 'browser', 1],
    ]);
    const rows = healthRows(index, { filter: { environment: 'production' } });
    expect(rows.map((r) => [r.by.release, r.adoptionSessions, r.adoptionUsers])).toEqual([
      ['1.0', 0.75, 0.75],
      ['1.1', 0.25, 0.25],
    ]);
  });

  it('builds hourly and daily series by the session start time', () => {
    const index = new SessionIndex();
    const hour = 3_600_000;
    feed(index, [
      { sid: 'a', did: 'u', release: 'r', end: 'exited', startedMs: T0 + 5 * 60_000 },
      { sid: 'b', did: 'u', release: 'r', end: 'crashed', startedMs: T0 + hour + 1 },
      { sid: 'c', did: 'v', release: 'r', end: 'exited', startedMs: T0 + 2 * hour + 59 * 60_000 },
      { sid: 'd', did: 'w', release: 'r', end: 'exited', startedMs: T0 + 30 * hour },
    ]);
    const hourly = index.query({ start: T0, end: T0 + 3 * hour, interval: hour });
    expect(hourly.intervals).toEqual([T0, T0 + hour, T0 + 2 * hour]);
    const s = hourly.groups[0]!.series;
    expect(s.map((c) => [c.sessions, c.crashed, c.users, c.crashedUsers])).toEqual([
      [1, 0, 1, 0],
      [1, 1, 1, 1],
      [1, 0, 1, 0],
    ]);
    expect(hourly.groups[0]!.totals.users).toBe(2);
    const day = 24 * hour;
    const daily = index.query({ start: T0 - 10 * hour, end: T0 + 38 * hour, interval: day });
    const dayStart = Date.parse('2026-11-20T00:00:00Z');
    expect(daily.intervals).toEqual([dayStart, dayStart + day]);
    expect(daily.groups[0]!.series.map((c) => c.sessions)).toEqual([3, 1]);
  });
});

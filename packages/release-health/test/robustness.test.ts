import { describe, expect, it } from 'vitest';
import { SessionIndex, computeMetrics, type SessionUpdate } from '../src/index.js';
import { T0, updatesFor } from './fixtures.js';

const meta = { platform: 'node', project: '1' };

function only(index: SessionIndex) {
  const g = index.query().groups;
  expect(g.length).toBeLessThanOrEqual(1);
  return computeMetrics(g[0]?.totals ?? { sessions: 0, healthy: 0, errored: 0, crashed: 0, abnormal: 0, notTerminated: 0, users: 0, healthyUsers: 0, erroredUsers: 0, crashedUsers: 0, abnormalUsers: 0 });
}

describe('real-world input', () => {
  it('ignores duplicate updates (same sid and seq)', () => {
    const index = new SessionIndex();
    const [init, end] = updatesFor({ sid: 's', did: 'u', release: 'r', end: 'crashed' });
    expect(index.addSession(init!, meta)).toBe('applied');
    expect(index.addSession(init!, meta)).toBe('duplicate');
    expect(index.addSession(end!, meta)).toBe('applied');
    expect(index.addSession(end!, meta)).toBe('duplicate');
    const m = only(index);
    expect([m.sessions, m.crashed, m.users]).toEqual([1, 1, 1]);
    expect(index.stats().duplicates).toBe(2);
  });

  it('applies the highest seq whatever the arrival order, and a late init still counts', () => {
    const index = new SessionIndex();
    const [init, end] = updatesFor({ sid: 's', did: 'u', release: 'r', end: 'crashed' });
    index.addSession(end!, meta);
    expect(only(index).sessions).toBe(0); // no init yet: not counted
    expect(index.stats().withoutInit).toBe(1);
    expect(index.addSession(init!, meta)).toBe('stale');
    const m = only(index);
    expect([m.sessions, m.crashed, m.notTerminated]).toEqual([1, 1, 0]);
    expect(index.stats().withoutInit).toBe(0);
  });

  it('a terminal status is final: a later ok update does not resurrect the session', () => {
    const index = new SessionIndex();
    const [init, end] = updatesFor({ sid: 's', release: 'r', end: 'abnormal' });
    index.addSession(init!, meta);
    index.addSession(end!, meta);
    index.addSession({ ...init!, init: false, seq: 7, status: 'ok' }, meta);
    expect(only(index).abnormal).toBe(1);
  });

  it('updates without init are ignored and counted as anomalies; rates never go negative', () => {
    const index = new SessionIndex();
    for (let i = 0; i < 5; i++) {
      index.addSession({ sid: `orphan${i}`, seq: 1, status: 'crashed', attrs: { release: 'r' }, did: 'x' }, meta);
    }
    for (const u of updatesFor({ sid: 'ok1', did: 'y', release: 'r', end: 'exited' })) index.addSession(u, meta);
    const m = only(index);
    expect([m.sessions, m.crashed, m.users, m.crashedUsers]).toEqual([1, 0, 1, 0]);
    expect(m.crashFreeSessions).toBe(1);
    expect(index.stats().withoutInit).toBe(5);
  });

  it('sessions that never end are in the denominator and reported as not terminated', () => {
    const index = new SessionIndex();
    for (const u of updatesFor({ sid: 'open', did: 'a', release: 'r', end: 'ok' })) index.addSession(u, meta);
    for (const u of updatesFor({ sid: 'dead', did: 'b', release: 'r', end: 'crashed' })) index.addSession(u, meta);
    const m = only(index);
    expect([m.sessions, m.notTerminated, m.crashed]).toEqual([2, 1, 1]);
    expect(m.crashFreeSessions).toBe(0.5);
  });

  it('does not count a session that never names its release, and says so', () => {
    const index = new SessionIndex();
    index.addSession({ sid: 'norel', init: true, seq: 0, status: 'ok' }, meta);
    index.addSession({ sid: 'norel', seq: 1, status: 'crashed' }, meta);
    expect(index.query().groups).toEqual([]);
    expect(index.stats()).toMatchObject({ sessions: 0, withoutRelease: 1, withoutInit: 0 });
  });

  it('skips malformed payloads without throwing', () => {
    const index = new SessionIndex();
    expect(index.addSession({} as SessionUpdate, meta)).toBe('invalid');
    expect(index.addSession(null as unknown as SessionUpdate, meta)).toBe('invalid');
    expect(index.addAggregates({ attrs: {} }, meta)).toBe('invalid');
    expect(index.addAggregates({ attrs: { release: 'r' }, aggregates: [{ started: 'not a date', exited: 3 }] }, meta)).toBe('applied');
    expect(index.stats().invalid).toBe(4);
    expect(only(index).sessions).toBe(0);
  });

  it('adds request-mode aggregates, with users when a did is given', () => {
    const index = new SessionIndex();
    const started = new Date(T0).toISOString();
    index.addAggregates(
      {
        attrs: { release: 'r', environment: 'production' },
        aggregates: [
          { started, exited: 97, errored: 1, crashed: 2 },
          { started, did: 'u1', exited: 1, crashed: 1 },
          { started, did: 'u2', exited: 4 },
        ],
      },
      meta,
    );
    const m = only(index);
    expect([m.sessions, m.healthy, m.errored, m.crashed, m.notTerminated]).toEqual([106, 102, 1, 3, 0]);
    expect([m.users, m.crashedUsers]).toEqual([2, 1]);
    expect(m.crashFreeSessions).toBeCloseTo(103 / 106, 12);
  });
});

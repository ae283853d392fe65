/**
 * Shapes index results as Sentry's sessions API answers:
 * `{ start, end, intervals, groups: [{ by, totals, series }], query }`, with
 * rates as fractions or null when there is no data (never 1 for nothing).
 */
import { emptyCounts, type HealthCounts, type HealthGroup, type HealthResult, type SessionOutcome } from '@crashfree/release-health';
import type { SessionField, SessionsRequest } from './sessions-params.js';

type FieldValues = Record<string, number | null>;

/** One group of the response. */
export interface SessionsGroup {
  /** Group keys; `project` is a number, as Sentry answers it. */
  by: Record<string, string | number>;
  totals: FieldValues;
  series: Record<string, Array<number | null>>;
}

/** The response body. */
export interface SessionsResponse {
  start: string;
  end: string;
  intervals: string[];
  groups: SessionsGroup[];
  query: string;
}

const OUTCOMES: readonly SessionOutcome[] = ['healthy', 'errored', 'crashed', 'abnormal'];
const USER_KEY: Record<SessionOutcome, keyof HealthCounts> = {
  healthy: 'healthyUsers',
  errored: 'erroredUsers',
  crashed: 'crashedUsers',
  abnormal: 'abnormalUsers',
};

/** ISO 8601 without milliseconds, as Sentry prints interval starts. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function value(field: SessionField, c: HealthCounts): number | null {
  switch (field) {
    case 'sum(session)':
      return c.sessions;
    case 'count_unique(user)':
      return c.users;
    case 'crash_free_rate(session)':
      return c.sessions > 0 ? 1 - c.crashed / c.sessions : null;
    case 'crash_rate(session)':
      return c.sessions > 0 ? c.crashed / c.sessions : null;
    case 'crash_free_rate(user)':
      return c.users > 0 ? 1 - c.crashedUsers / c.users : null;
    case 'crash_rate(user)':
      return c.users > 0 ? c.crashedUsers / c.users : null;
  }
}

/** Counts restricted to one outcome (for groupBy=session.status). */
function onlyOutcome(c: HealthCounts, outcome: SessionOutcome): HealthCounts {
  const users = c[USER_KEY[outcome]];
  return {
    ...c,
    sessions: c[outcome],
    healthy: outcome === 'healthy' ? c.healthy : 0,
    errored: outcome === 'errored' ? c.errored : 0,
    crashed: outcome === 'crashed' ? c.crashed : 0,
    abnormal: outcome === 'abnormal' ? c.abnormal : 0,
    users,
    crashedUsers: outcome === 'crashed' ? users : 0,
  };
}

function toGroup(by: SessionsGroup['by'], totals: HealthCounts, series: HealthCounts[], fields: SessionField[]): SessionsGroup {
  const g: SessionsGroup = { by, totals: {}, series: {} };
  for (const f of fields) {
    g.totals[f] = value(f, totals);
    g.series[f] = series.map((c) => value(f, c));
  }
  return g;
}

/** Builds the response for a parsed request from the index's result. */
export function buildSessionsResponse(req: SessionsRequest, result: HealthResult): SessionsResponse {
  const byStatus = req.groupBy.includes('session.status');
  const groups: SessionsGroup[] = [];
  const sources: HealthGroup[] = result.groups;
  for (const g of sources) {
    const by: SessionsGroup['by'] = {};
    for (const key of req.groupBy) {
      if (key === 'session.status') continue;
      const v = g.by[key] ?? '';
      by[key] = key === 'project' && /^\d{1,15}$/.test(v) ? Number(v) : v;
    }
    if (!byStatus) {
      groups.push(toGroup(by, g.totals, g.series, req.fields));
      continue;
    }
    for (const outcome of OUTCOMES) {
      groups.push(toGroup({ ...by, 'session.status': outcome }, onlyOutcome(g.totals, outcome), g.series.map((c) => onlyOutcome(c, outcome)), req.fields));
    }
  }
  // Like Sentry: without grouping there is always one group, zeros and nulls when empty.
  if (groups.length === 0 && req.groupBy.length === 0) {
    const zero = emptyCounts();
    groups.push(toGroup({}, zero, result.intervals.map(() => zero), req.fields));
  }
  return {
    start: isoSeconds(result.start),
    end: isoSeconds(result.end),
    intervals: result.intervals.map(isoSeconds),
    groups,
    query: req.queryText,
  };
}

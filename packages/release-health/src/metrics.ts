/**
 * Turns raw counts into the rates people read. Every rate is a fraction in
 * [0, 1] or `null` when its denominator is zero: an empty set is "no data",
 * never 100% crash-free.
 */
import type { HealthCounts } from './types.js';

/** A two-sided confidence interval of a proportion, as fractions. */
export interface Interval {
  low: number;
  high: number;
}

/** Counts plus the derived rates (fractions, null = no data). */
export interface HealthMetrics extends HealthCounts {
  /** 1 − crashed / sessions. */
  crashFreeSessions: number | null;
  /** 1 − users with a crashed session / users. */
  crashFreeUsers: number | null;
  crashFreeSessionsInterval: Interval | null;
  crashFreeUsersInterval: Interval | null;
  /** Handled-errors-only sessions / sessions. */
  erroredRate: number | null;
  /** Sessions that died without a terminal status / sessions. */
  abnormalRate: number | null;
}

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for `successes` out of `n`. Unlike the normal
 * approximation it stays inside [0, 1] and widens honestly for small n, which
 * is why comparisons use it. Returns null for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval | null {
  if (!(n > 0)) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At p = 0 or 1 the bound is exactly 0 or 1; pin it against rounding.
  return {
    low: successes <= 0 ? 0 : Math.max(0, centre - half),
    high: successes >= n ? 1 : Math.min(1, centre + half),
  };
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Derives every rate (and its interval) from one group's counts. */
export function computeMetrics(counts: HealthCounts): HealthMetrics {
  const { sessions, crashed, users, crashedUsers } = counts;
  return {
    ...counts,
    crashFreeSessions: sessions > 0 ? 1 - crashed / sessions : null,
    crashFreeUsers: users > 0 ? 1 - crashedUsers / users : null,
    crashFreeSessionsInterval: wilsonInterval(sessions - crashed, sessions),
    crashFreeUsersInterval: wilsonInterval(users - crashedUsers, users),
    erroredRate: ratio(counts.errored, sessions),
    abnormalRate: ratio(counts.abnormal, sessions),
  };
}

/** Formats a fraction as a percentage with `digits` decimals, or "no data". */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || Number.isNaN(value) ? 'no data' : `${(value * 100).toFixed(digits)}%`;
}

/**
 * Release against baseline: the crash-free rate of each with its Wilson
 * interval, and the delta in percentage points. Works from plain
 * (sample, failures) pairs so counts from the local index and from a remote
 * Sentry-compatible API compare the same way.
 */
import { wilsonInterval, type Interval } from './metrics.js';
import type { HealthCounts } from './types.js';

/** Which crash-free figure a comparison or gate is about. */
export type HealthMetric = 'sessions' | 'users';

/** A crash-free proportion's inputs: `failures` crashed out of `sample`. */
export interface RateSample {
  sample: number;
  failures: number;
}

/** A crash-free rate with its inputs and its 95% Wilson interval (fractions). */
export interface RateStat extends RateSample {
  rate: number | null;
  interval: Interval | null;
}

/** The outcome of comparing a release with a baseline. */
export interface Comparison {
  metric: HealthMetric;
  candidate: RateStat;
  baseline: RateStat | null;
  /** candidate − baseline, in percentage points; null when either has no data. */
  deltaPoints: number | null;
  /** True when the two intervals do not overlap (a difference beyond noise). */
  distinguishable: boolean | null;
}

/** Picks the metric's (sample, failures) from a group's counts. */
export function sampleOf(counts: HealthCounts, metric: HealthMetric): RateSample {
  return metric === 'users'
    ? { sample: counts.users, failures: counts.crashedUsers }
    : { sample: counts.sessions, failures: counts.crashed };
}

/** Crash-free rate and interval of a sample; `rate` is null for an empty sample. */
export function rateStat(s: RateSample): RateStat {
  const sample = Math.max(0, s.sample);
  const failures = Math.min(Math.max(0, s.failures), sample);
  return {
    sample,
    failures,
    rate: sample > 0 ? 1 - failures / sample : null,
    interval: wilsonInterval(sample - failures, sample),
  };
}

/** Compares a candidate release's sample with a baseline's (either may be empty). */
export function compareSamples(metric: HealthMetric, candidate: RateSample, baseline?: RateSample | null): Comparison {
  const c = rateStat(candidate);
  const b = baseline ? rateStat(baseline) : null;
  const bothData = c.rate !== null && b !== null && b.rate !== null;
  return {
    metric,
    candidate: c,
    baseline: b,
    deltaPoints: bothData ? ((c.rate as number) - (b!.rate as number)) * 100 : null,
    distinguishable:
      bothData && c.interval && b!.interval ? c.interval.high < b!.interval.low || b!.interval.high < c.interval.low : null,
  };
}

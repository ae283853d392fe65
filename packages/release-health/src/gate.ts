/**
 * The ship/halt decision. A release passes when it has enough sample, its
 * crash-free rate is at or above the threshold, and it has not dropped more
 * than `maxDrop` points below the baseline; per-segment evaluation (e.g. per
 * platform) lets the worst segment with a meaningful sample decide, so a
 * crashing platform is not averaged away by a healthy one.
 */
import { compareSamples, type Comparison, type HealthMetric, type RateSample } from './compare.js';

/** The gate's rules. Percentages are in percent (99.5 means 99.5%). */
export interface GatePolicy {
  metric: HealthMetric;
  /** Minimum sample of the metric (sessions or users) before deciding. */
  minSample: number;
  /** Minimum crash-free rate, in percent. */
  threshold: number;
  /** Maximum drop against the baseline, in percentage points; omitted = no baseline rule. */
  maxDrop?: number;
}

/** One named segment (platform, project, ...) of the candidate and baseline. */
export interface GateSegment {
  name: string;
  candidate: RateSample;
  baseline?: RateSample | null;
}

/** The numbers the gate decides on. */
export interface GateInput {
  candidate: RateSample;
  baseline?: RateSample | null;
  /** When given, segments with a meaningful sample are evaluated and the worst decides. */
  segments?: GateSegment[];
}

/** The three verdicts; the CLI maps them to exit codes 0, 1 and 2. */
export type Verdict = 'pass' | 'halt' | 'insufficient-data';

/** How one segment (or the whole release) fared. */
export interface SegmentResult extends Comparison {
  name: string;
  verdict: Verdict;
  reason: string;
}

/** The decision with every number that led to it. */
export interface GateDecision extends SegmentResult {
  policy: GatePolicy;
  /** The segment that decided, when segments were evaluated and one halted. */
  decidingSegment: string | null;
  segments: SegmentResult[];
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function judge(name: string, policy: GatePolicy, candidate: RateSample, baseline?: RateSample | null): SegmentResult {
  const cmp = compareSamples(policy.metric, candidate, baseline);
  const unit = policy.metric;
  const base = { name, ...cmp };
  if (cmp.candidate.sample < policy.minSample || cmp.candidate.rate === null) {
    return {
      ...base,
      verdict: 'insufficient-data',
      reason: `${cmp.candidate.sample} ${unit} < minimum ${policy.minSample}`,
    };
  }
  const rate = cmp.candidate.rate;
  if (rate * 100 < policy.threshold) {
    return { ...base, verdict: 'halt', reason: `crash-free ${unit} ${pct(rate)} < threshold ${policy.threshold}%` };
  }
  if (policy.maxDrop !== undefined && cmp.deltaPoints !== null && -cmp.deltaPoints > policy.maxDrop) {
    return {
      ...base,
      verdict: 'halt',
      reason: `crash-free ${unit} dropped ${(-cmp.deltaPoints).toFixed(2)} points vs baseline (max ${policy.maxDrop})`,
    };
  }
  const baselineNote =
    policy.maxDrop === undefined || !baseline ? '' : cmp.deltaPoints === null ? '; baseline has no data' : `; delta ${cmp.deltaPoints.toFixed(2)} points`;
  return { ...base, verdict: 'pass', reason: `crash-free ${unit} ${pct(rate)} >= ${policy.threshold}%${baselineNote}` };
}

/** Throws a RangeError naming the field when a policy value is unusable. */
export function validatePolicy(policy: GatePolicy): void {
  if (policy.metric !== 'sessions' && policy.metric !== 'users') {
    throw new RangeError(`metric: got ${JSON.stringify(policy.metric)}, expected "sessions" or "users"`);
  }
  if (!(Number.isInteger(policy.minSample) && policy.minSample >= 1)) {
    throw new RangeError(`minSample: got ${policy.minSample}, expected an integer >= 1`);
  }
  if (!(policy.threshold >= 0 && policy.threshold <= 100)) {
    throw new RangeError(`threshold: got ${policy.threshold}, expected a percentage between 0 and 100`);
  }
  if (policy.maxDrop !== undefined && !(policy.maxDrop >= 0 && policy.maxDrop <= 100)) {
    throw new RangeError(`maxDrop: got ${policy.maxDrop}, expected percentage points between 0 and 100`);
  }
}

/**
 * Decides the gate. Never returns `pass` for a release whose sample is below
 * the minimum; with segments, any meaningful segment that halts halts the
 * release (the worst one is reported as deciding).
 */
export function decideGate(input: GateInput, policy: GatePolicy): GateDecision {
  validatePolicy(policy);
  const overall = judge('all', policy, input.candidate, input.baseline);
  const segments = (input.segments ?? []).map((s) => judge(s.name, policy, s.candidate, s.baseline));
  if (overall.verdict === 'insufficient-data') {
    return { ...overall, policy, decidingSegment: null, segments };
  }
  const halted = segments
    .filter((s) => s.verdict === 'halt')
    .sort((a, b) => (a.candidate.rate ?? 1) - (b.candidate.rate ?? 1));
  const worst = halted[0];
  if (overall.verdict !== 'halt' && worst) {
    return {
      ...overall,
      verdict: 'halt',
      reason: `segment ${worst.name}: ${worst.reason}`,
      policy,
      decidingSegment: worst.name,
      segments,
    };
  }
  return { ...overall, policy, decidingSegment: null, segments };
}

/**
 * @crashfree/release-health: crash-free math over session updates and
 * aggregates, release comparison with Wilson intervals, and the ship/halt
 * gate. No SDK imports; the collector and the `crashfree-gate` CLI build on it.
 */
export { SessionIndex, parseTime, type IndexStats, type IngestResult } from './session-index.js';
export type { HealthQuery, HealthResult, HealthGroup } from './query.js';
export { computeMetrics, wilsonInterval, formatPercent, Z_95, type HealthMetrics, type Interval } from './metrics.js';
export { compareSamples, rateStat, sampleOf, type Comparison, type HealthMetric, type RateSample, type RateStat } from './compare.js';
export {
  decideGate,
  validatePolicy,
  type GateDecision,
  type GateInput,
  type GatePolicy,
  type GateSegment,
  type SegmentResult,
  type Verdict,
} from './gate.js';
export { healthRows, formatHealthTable, alignColumns, type HealthRow } from './report.js';
export {
  DIMENSIONS,
  emptyCounts,
  type Dimension,
  type HealthCounts,
  type InputMeta,
  type SessionAggregateBucket,
  type SessionAggregates,
  type SessionOutcome,
  type SessionUpdate,
} from './types.js';
export { parseGateArgs, parseDurationFlag, UsageError, USAGE, type GateOptions } from './cli-args.js';
export { fetchReleaseSamples, chooseInterval, periodMs, ApiError, type EffectiveWindow, type ReleaseSamples } from './sessions-client.js';
export { runGate, realIo, type GateRun, type RunIo } from './gate-run.js';
export { fetchCauses, type Causes, type IssueCause } from './causes.js';
export { gateJson, gateText, hookEnv, exitCodeOf } from './gate-output.js';
export {
  fingerprintOf,
  nativeFingerprint,
  FINGERPRINT_VERSION,
  type FingerprintEvent,
  type FingerprintFrame,
  type NativeFingerprintFrame,
} from './fingerprint.js';

/**
 * Input and output shapes of the release-health engine. Inputs mirror Sentry's
 * envelope items (`session` updates and `sessions` request aggregates); the
 * engine never imports an SDK, so these are declared here.
 */

/** A `session` envelope item payload (one update of one session). */
export interface SessionUpdate {
  sid: string;
  /** Distinct user id; sessions without it count for sessions but not users. */
  did?: string | null;
  /** True on exactly the first update of a session. */
  init?: boolean;
  /** Monotonic per session; absent on some SDKs, then `timestamp` orders. */
  seq?: number;
  started?: string | number;
  timestamp?: string | number;
  duration?: number;
  status?: string;
  errors?: number;
  attrs?: { release?: string; environment?: string; [key: string]: unknown };
}

/** One bucket of a `sessions` (request-mode) aggregate item. */
export interface SessionAggregateBucket {
  started: string | number;
  did?: string | null;
  exited?: number;
  errored?: number;
  abnormal?: number;
  crashed?: number;
}

/** A `sessions` envelope item payload (request-mode aggregates). */
export interface SessionAggregates {
  attrs?: { release?: string; environment?: string; [key: string]: unknown };
  aggregates?: SessionAggregateBucket[];
}

/** Where an input came from; the collector fills this from the envelope. */
export interface InputMeta {
  /** Project id (from the DSN); default "0". */
  project?: string;
  /** SDK platform (node, browser, react-native, ...); default "unknown". */
  platform?: string;
  /** Arrival time in ms, used when `started` is missing or unparsable. */
  receivedAt?: number;
}

/** The dimensions every figure can be filtered and grouped by. */
export type Dimension = 'project' | 'release' | 'environment' | 'platform';

/** All dimensions, in the order group keys are built. */
export const DIMENSIONS: readonly Dimension[] = ['project', 'release', 'environment', 'platform'];

/**
 * The four disjoint outcome classes of a session (Sentry's `session.status`
 * grouping): crashed and abnormal win over errored; errored means handled
 * errors only.
 */
export type SessionOutcome = 'healthy' | 'errored' | 'crashed' | 'abnormal';

/** Raw counts for one group (or one time bucket of it). */
export interface HealthCounts {
  sessions: number;
  healthy: number;
  errored: number;
  crashed: number;
  abnormal: number;
  /** Sessions still `ok` (never ended yet): in the denominator, reported apart. */
  notTerminated: number;
  /** Distinct users (per group: a user counts once however many sessions). */
  users: number;
  healthyUsers: number;
  erroredUsers: number;
  crashedUsers: number;
  abnormalUsers: number;
}

/** A fresh all-zero counts record. */
export function emptyCounts(): HealthCounts {
  return {
    sessions: 0,
    healthy: 0,
    errored: 0,
    crashed: 0,
    abnormal: 0,
    notTerminated: 0,
    users: 0,
    healthyUsers: 0,
    erroredUsers: 0,
    crashedUsers: 0,
    abnormalUsers: 0,
  };
}

import type { ClientOptions, EventHint, ErrorEvent, Integration } from '@sentry/core';

/** Bounds of the durable queue (see API.md "Durable queue"). */
export interface QueueOptions {
  /** Most envelopes kept; the oldest are dropped beyond it. Default 100. */
  maxCount: number;
  /** Most bytes kept (serialized envelopes); the oldest are dropped beyond it. Default 20 MiB. */
  maxBytes: number;
  /** Envelopes older than this are dropped. Default 30 days. */
  maxAgeMs: number;
}

/** The options `createClient` accepts (anything else is passed to @sentry/core's Client unchanged). */
export interface CrashfreeOptions {
  dsn?: string;
  release?: string;
  environment?: string;
  /** `application`: one session per run; `request`: per-request sessions aggregated per minute. */
  sessionMode?: 'application' | 'request';
  /** Share of handled errors kept once their fingerprint's budget is spent (0..1). Never applies to fatal events. */
  sampleRate?: number;
  beforeSend?: (event: ErrorEvent, hint: EventHint) => PromiseLike<ErrorEvent | null> | ErrorEvent | null;
  /** The first N events of every fingerprint are always kept. Default 20. */
  fingerprintBudget?: number;
  /** Per-fingerprint cap of handled errors per minute. Default 60. */
  spikeLimitPerMinute?: number;
  /** When true, the session `did` is the SHA-256 hex of the user id instead of the id itself. */
  hashUserId?: boolean;
  queue?: Partial<QueueOptions>;
  /** How often request-mode aggregates are flushed. Default 60 000 ms. */
  aggregateFlushIntervalMs?: number;
  debug?: boolean;
  integrations?: Integration[] | ((defaults: Integration[]) => Integration[]);
  [sentryOption: string]: unknown;
}

/** Options after validation and defaults; what the client runs with. */
export interface ResolvedOptions {
  dsn?: string;
  release?: string;
  environment: string;
  sessionMode: 'application' | 'request';
  sampleRate: number;
  fingerprintBudget: number;
  spikeLimitPerMinute: number;
  hashUserId: boolean;
  queue: QueueOptions;
  aggregateFlushIntervalMs: number;
  debug: boolean;
  integrations: Integration[];
  /** Everything else, handed to @sentry/core's Client (beforeSend, maxBreadcrumbs, ...). */
  sentry: Partial<ClientOptions>;
}

/** Result of `validateOptions`: human-readable problems (empty when valid) and, when valid, the resolved options. */
export interface ValidationResult {
  problems: string[];
  options?: ResolvedOptions;
}

const DEFAULT_QUEUE: QueueOptions = { maxCount: 100, maxBytes: 20 * 1024 * 1024, maxAgeMs: 30 * 24 * 3600 * 1000 };

/** Releases that do not identify a build: crash-free numbers per release mean nothing with them. */
const CONSTANT_RELEASES = new Set(['latest', 'production', 'prod', 'master', 'main', 'dev']);

/** Renders a value for an error message: `2 (number)`, `"abc" (string)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} (string)`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}

function problem(name: string, value: unknown, expected: string): string {
  return `option "${name}" is ${describeValue(value)}; expected ${expected}`;
}

function isInt(v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Checks every crashfree option for type and range. Never throws. Platforms
 * that add options of their own call it and add their problems to the list.
 */
export function validateOptions(input: unknown): ValidationResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { problems: [`options are ${describeValue(input)}; expected an object such as { dsn, release }`] };
  }
  const o = input as Record<string, unknown>;
  const problems: string[] = [];
  const optString = (name: string): void => {
    if (o[name] !== undefined && (typeof o[name] !== 'string' || o[name] === '')) {
      problems.push(problem(name, o[name], 'a non-empty string'));
    }
  };
  optString('release');
  optString('environment');
  if (o.dsn !== undefined && (typeof o.dsn !== 'string' || !/^https?:\/\/[^@/]+@[^/]+\/.*\d+$/.test(o.dsn))) {
    problems.push(problem('dsn', o.dsn, 'a DSN string such as "https://KEY@host/1"'));
  }
  if (o.sessionMode !== undefined && o.sessionMode !== 'application' && o.sessionMode !== 'request') {
    problems.push(problem('sessionMode', o.sessionMode, '"application" or "request"'));
  }
  if (o.sampleRate !== undefined && !(typeof o.sampleRate === 'number' && o.sampleRate >= 0 && o.sampleRate <= 1)) {
    problems.push(problem('sampleRate', o.sampleRate, 'a number from 0 to 1'));
  }
  if (o.beforeSend !== undefined && typeof o.beforeSend !== 'function') {
    problems.push(problem('beforeSend', o.beforeSend, 'a function (event, hint) => event | null'));
  }
  if (o.fingerprintBudget !== undefined && !isInt(o.fingerprintBudget, 0, 1_000_000)) {
    problems.push(problem('fingerprintBudget', o.fingerprintBudget, 'an integer from 0 to 1000000'));
  }
  if (o.spikeLimitPerMinute !== undefined && !isInt(o.spikeLimitPerMinute, 1, 1_000_000)) {
    problems.push(problem('spikeLimitPerMinute', o.spikeLimitPerMinute, 'an integer from 1 to 1000000'));
  }
  for (const name of ['hashUserId', 'debug', 'enabled', 'sendClientReports']) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') problems.push(problem(name, o[name], 'true or false'));
  }
  if (o.aggregateFlushIntervalMs !== undefined && !isInt(o.aggregateFlushIntervalMs, 10, 3_600_000)) {
    problems.push(problem('aggregateFlushIntervalMs', o.aggregateFlushIntervalMs, 'an integer from 10 to 3600000 (ms)'));
  }
  if (o.integrations !== undefined && !Array.isArray(o.integrations) && typeof o.integrations !== 'function') {
    problems.push(problem('integrations', o.integrations, 'an array of integrations or a function returning one'));
  }
  validateSentryOptions(o, problems);
  const queue = validateQueue(o.queue, problems);
  if (problems.length > 0) return { problems };

  const integrations = typeof o.integrations === 'function' ? (o.integrations as (d: Integration[]) => Integration[])([]) : ((o.integrations as Integration[] | undefined) ?? []);
  if (!Array.isArray(integrations)) return { problems: [problem('integrations', integrations, 'the function to return an array')] };
  const { dsn, release, environment, sessionMode, sampleRate, fingerprintBudget, spikeLimitPerMinute, hashUserId, queue: _q, aggregateFlushIntervalMs, debug, integrations: _i, ...rest } = o;
  return {
    problems,
    options: {
      dsn: dsn as string | undefined,
      release: release as string | undefined,
      environment: (environment as string | undefined) ?? 'production',
      sessionMode: (sessionMode as 'application' | 'request' | undefined) ?? 'application',
      sampleRate: (sampleRate as number | undefined) ?? 1,
      fingerprintBudget: (fingerprintBudget as number | undefined) ?? 20,
      spikeLimitPerMinute: (spikeLimitPerMinute as number | undefined) ?? 60,
      hashUserId: (hashUserId as boolean | undefined) ?? false,
      queue,
      aggregateFlushIntervalMs: (aggregateFlushIntervalMs as number | undefined) ?? 60_000,
      debug: (debug as boolean | undefined) ?? false,
      integrations,
      sentry: rest as Partial<ClientOptions>,
    },
  };
}

/** The @sentry/core options people set most often, checked the same way (the rest pass through as they are). */
function validateSentryOptions(o: Record<string, unknown>, problems: string[]): void {
  const ints: Array<[string, number, number]> = [
    ['maxBreadcrumbs', 0, 1000],
    ['normalizeDepth', 0, 100],
    ['normalizeMaxBreadth', 1, 100_000],
    ['maxValueLength', 1, 1_000_000],
    ['clientReportFlushInterval', 10, 3_600_000],
  ];
  for (const [name, min, max] of ints) {
    if (o[name] !== undefined && !isInt(o[name], min, max)) problems.push(problem(name, o[name], `an integer from ${min} to ${max}`));
  }
  for (const name of ['attachStacktrace', 'sendDefaultPii']) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') problems.push(problem(name, o[name], 'true or false'));
  }
  for (const name of ['dist', 'tunnel', 'serverName']) {
    if (o[name] !== undefined && (typeof o[name] !== 'string' || o[name] === '')) problems.push(problem(name, o[name], 'a non-empty string'));
  }
  for (const name of ['beforeBreadcrumb', 'beforeSendTransaction']) {
    if (o[name] !== undefined && typeof o[name] !== 'function') problems.push(problem(name, o[name], 'a function'));
  }
  for (const name of ['ignoreErrors', 'denyUrls', 'allowUrls']) {
    const v = o[name];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string' || x instanceof RegExp))) {
      problems.push(problem(name, v, 'an array of strings or regular expressions'));
    }
  }
}

function validateQueue(value: unknown, problems: string[]): QueueOptions {
  if (value === undefined) return { ...DEFAULT_QUEUE };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(problem('queue', value, 'an object { maxCount, maxBytes, maxAgeMs }'));
    return { ...DEFAULT_QUEUE };
  }
  const q = value as Record<string, unknown>;
  const limits: Array<[keyof QueueOptions, number, string]> = [
    ['maxCount', 1, 'an integer of at least 1'],
    ['maxBytes', 1024, 'an integer of at least 1024 (bytes)'],
    ['maxAgeMs', 1000, 'an integer of at least 1000 (ms)'],
  ];
  const out = { ...DEFAULT_QUEUE };
  for (const [key, min, expected] of limits) {
    if (q[key] === undefined) continue;
    if (!isInt(q[key], min)) problems.push(problem(`queue.${key}`, q[key], expected));
    else out[key] = q[key] as number;
  }
  return out;
}

/** The one release-hygiene warning for these options, or undefined when the release identifies a build. */
export function releaseWarning(release: string | undefined): string | undefined {
  if (release === undefined) {
    return '[crashfree] no "release" option: sessions and crashes cannot be attributed to a build, so crash-free rates per release are unavailable. Set release to a version or commit id.';
  }
  if (CONSTANT_RELEASES.has(release.trim().toLowerCase())) {
    return `[crashfree] release is the constant ${JSON.stringify(release)}: every build reports the same release, so releases cannot be compared. Set release to a version or commit id.`;
  }
  return undefined;
}

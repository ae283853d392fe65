import type { ClientOptions, EventHint, ErrorEvent, Integration } from '@sentry/core';
import { parseDsn } from './dsn.js';
import { unknownOptionWarnings } from './unknown-options.js';

/** Bounds of the durable queue (see API.md "Durable queue"). */
export interface QueueOptions {
  /** Most envelopes kept; the oldest are dropped beyond it. Default 100. */
  maxCount: number;
  /** Most bytes kept (serialized envelopes); the oldest are dropped beyond it. Default 20 MiB. */
  maxBytes: number;
  /** Envelopes older than this are dropped. Default 30 days. */
  maxAgeMs: number;
  /**
   * Store key prefix of the queue's entries (default `queue/`; must end in
   * `/`). The queue assumes it alone owns the keys under it: runs that share
   * a Store at the same time (browser tabs) each need their own.
   */
  keyPrefix?: string;
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
  /** One warning per unknown option (with the option meant, when one is close); they do not disable the SDK. */
  warnings?: string[];
}

const DEFAULT_QUEUE: QueueOptions = { maxCount: 100, maxBytes: 20 * 1024 * 1024, maxAgeMs: 30 * 24 * 3600 * 1000 };

/** Releases that do not identify a build: crash-free numbers per release mean nothing with them. */
const CONSTANT_RELEASES = ['latest', 'production', 'prod', 'master', 'main', 'dev'];

/** Renders a value for an error message: `2 (number)`, `"abc" (string)`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} (string)`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}

function problem(name: string, value: unknown, expected: string): string {
  return `option "${name}" is ${describeValue(value)}; expected ${expected}`;
}

/** A plain object (not null, not an array). */
function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: unknown, min: number, max = Infinity): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** One option's rule: the test a set value must pass, and how the expectation reads in the message. */
export type OptionRule = [test: (v: unknown) => boolean, expected: string];
type Rule = OptionRule;

const text: Rule = [(v) => typeof v === 'string' && v !== '', 'a non-empty string'];
const flag: Rule = [(v) => typeof v === 'boolean', 'true or false'];
const fn = (expected = 'a function'): Rule => [(v) => typeof v === 'function', expected];
const int = (min: number, max: number, unit = ''): Rule => [(v) => isInt(v, min, max), `an integer from ${min} to ${max}${unit}`];
const atLeast = (min: number, unit: string): Rule => [(v) => isInt(v, min), `an integer of at least ${min}${unit}`];

/**
 * Every checked option and its rule, in the order problems are reported: the
 * crashfree options, then the @sentry/core options both clients honour. A
 * table rather than code per option: the same precise messages for a
 * fraction of the bundle size.
 */
const RULES: Record<string, Rule> = {
  release: text,
  environment: text,
  dsn: [(v) => typeof v === 'string' && parseDsn(v) !== undefined, 'a DSN string such as "https://KEY@host/1"'],
  sampleRate: [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1'],
  beforeSend: fn('a function (event, hint) => event | null'),
  fingerprintBudget: int(0, 1_000_000),
  spikeLimitPerMinute: int(1, 1_000_000),
  hashUserId: flag,
  debug: flag,
  enabled: flag,
  sendClientReports: flag,
  integrations: [(v) => Array.isArray(v) || typeof v === 'function', 'an array of integrations or a function returning one'],
  queue: [isRecord, 'an object { maxCount, maxBytes, maxAgeMs }'],
  maxBreadcrumbs: int(0, 1000),
  normalizeDepth: int(0, 100),
  normalizeMaxBreadth: int(1, 100_000),
  clientReportFlushInterval: int(10, 3_600_000),
  dist: text,
  tunnel: text,
  beforeBreadcrumb: fn(),
};

/**
 * The options only `createClient` honours: request mode and the @sentry/core
 * options only its Client reads. Built on use, so bundles of the lite client
 * drop the table.
 */
const clientRules = (urls: Rule = [(v) => Array.isArray(v) && v.every((x) => typeof x === 'string' || x instanceof RegExp), 'an array of strings or regular expressions']): Record<string, Rule> => ({
  sessionMode: [(v) => v === 'application' || v === 'request', '"application" or "request"'],
  aggregateFlushIntervalMs: int(10, 3_600_000, ' (ms)'),
  maxValueLength: int(1, 1_000_000),
  attachStacktrace: flag,
  sendDefaultPii: flag,
  serverName: text,
  beforeSendTransaction: fn(),
  ignoreErrors: urls,
  denyUrls: urls,
  allowUrls: urls,
});

/**
 * The lite client has application mode only, and hashed user ids are an
 * integration (lite-opt-in.ts): options it would not act on are refused,
 * naming what to use instead.
 */
const LITE_RULES: Record<string, Rule> = {
  sessionMode: [(v) => v === 'application', '"application" (this client has no request mode)'],
  hashUserId: [(v) => v === false, 'hashUserIdIntegration() in "integrations" instead'],
};

const QUEUE_RULES: Record<string, Rule> = {
  maxCount: atLeast(1, ''),
  maxBytes: atLeast(1024, ' (bytes)'),
  maxAgeMs: atLeast(1000, ' (ms)'),
  keyPrefix: [(v) => typeof v === 'string' && /^[\x21-\x7e]*\/$/.test(v), 'a key prefix ending in "/", such as "queue/"'],
};

/** The problems of the set values of `o` among `names`, by the rules of `createClient`'s options of those names (for integrations that take such options). */
export function checkOptions(o: Record<string, unknown>, names: string[]): string[] {
  const problems: string[] = [];
  check(o, Object.fromEntries(names.map((name) => [name, RULES[name]!])), problems);
  return problems;
}

/** Checks the set values of `o` against `rules`, adding one problem per wrong option. */
function check(o: Record<string, unknown>, rules: Record<string, Rule>, problems: string[], prefix = ''): void {
  for (const name in rules) {
    const [test, expected] = rules[name]!;
    if (o[name] !== undefined && !test(o[name])) problems.push(problem(prefix + name, o[name], expected));
  }
}

/** The crashfree options with their defaults (when the option is not set). */
const DEFAULTS = {
  dsn: undefined,
  release: undefined,
  environment: 'production',
  sessionMode: 'application',
  sampleRate: 1,
  fingerprintBudget: 20,
  spikeLimitPerMinute: 60,
  hashUserId: false,
  aggregateFlushIntervalMs: 60_000,
  debug: false,
};

/**
 * Checks every crashfree option, and the @sentry/core options its Client
 * honours, for type and range. Never throws. Platforms that add options of
 * their own call it and add their problems to the list.
 */
export function validateOptions(input: unknown): ValidationResult {
  return validateWith(input, clientRules(), SENTRY_CLIENT_OPTIONS.split(' '));
}

/**
 * @sentry/core's own options that its Client reads and crashfree passes on
 * unchecked (the ones crashfree checks are in the rule tables), split on use
 * so the lite bundle drops the string. Only the full client knows them: the lite client does not run @sentry/core's Client, so
 * for it they are unknown, and said so.
 */
const SENTRY_CLIENT_OPTIONS =
  'transport transportOptions stackParser tracesSampleRate tracesSampler parentSpanIsAlwaysRootSpan initialScope ignoreTransactions ignoreSpans dataCollection enhanceFetchErrorMessages tracePropagationTargets propagateTraceparent strictTraceContinuation traceLifecycle orgId beforeSendLog beforeSendMetric beforeSendSpan defaultIntegrations includeServerName shutdownTimeout spotlight enableLogs';

/**
 * `validateOptions` for the lite client: the same rules and messages, less
 * request mode and the options only @sentry/core's Client reads. `more` adds
 * a platform's own options (checked after the core's, same message form;
 * they are passed on in `sentry` like any option the core does not know).
 */
export function validateLiteOptions(input: unknown, more: Record<string, OptionRule> = {}): ValidationResult {
  return validateWith(input, { ...LITE_RULES, ...more });
}

function validateWith(input: unknown, more: Record<string, Rule>, passed: string[] = []): ValidationResult {
  if (!isRecord(input)) {
    return { problems: [`options are ${describeValue(input)}; expected an object such as { dsn, release }`] };
  }
  const o = input as Record<string, unknown>;
  const problems: string[] = [];
  // `more` overrides the rule of an option both name (one problem per option).
  check(o, { ...RULES, ...more }, problems);
  const queue: Record<string, unknown> = { ...DEFAULT_QUEUE };
  const q = o.queue;
  if (isRecord(q)) {
    check(q, QUEUE_RULES, problems, 'queue.');
    for (const key in QUEUE_RULES) if (q[key] !== undefined) queue[key] = q[key];
  }
  if (problems.length > 0) return { problems };
  const warnings = unknownOptionWarnings(o, [...Object.keys(RULES), ...Object.keys(more), ...Object.keys(DEFAULTS), ...passed]);
  if (isRecord(q)) warnings.push(...unknownOptionWarnings(q, Object.keys(QUEUE_RULES), 'queue.'));

  const integrations = typeof o.integrations === 'function' ? (o.integrations as (d: Integration[]) => Integration[])([]) : ((o.integrations as Integration[] | undefined) ?? []);
  if (!Array.isArray(integrations)) return { problems: [problem('integrations', integrations, 'the function to return an array')] };
  const resolved: Record<string, unknown> = {};
  const sentry: Record<string, unknown> = {};
  for (const key in o) if (!(key in DEFAULTS) && key !== 'queue' && key !== 'integrations') sentry[key] = o[key];
  for (const [key, value] of Object.entries(DEFAULTS)) resolved[key] = o[key] ?? value;
  return { problems, warnings, options: { ...(resolved as Omit<ResolvedOptions, 'queue' | 'integrations' | 'sentry'>), queue: queue as unknown as QueueOptions, integrations, sentry: sentry as Partial<ClientOptions> } };
}

/**
 * The warning for `sampleRate: 0` with a `fingerprintBudget` set: at rate 0
 * no handled error is sent, so the budget (which only keeps events above
 * rate 0) does nothing. Said once at init rather than silently ignored.
 */
export function samplingWarning(o: Record<string, unknown>): string | undefined {
  if (o.sampleRate === 0 && o.fingerprintBudget !== undefined) {
    return '[crashfree] "fingerprintBudget" is ignored: sampleRate 0 sends no handled errors.';
  }
  return undefined;
}

/** The one release-hygiene warning for these options, or undefined when the release identifies a build. */
export function releaseWarning(release: string | undefined): string | undefined {
  if (release === undefined) {
    return '[crashfree] no "release" option: set it to a version or commit id for crash-free rates per release.';
  }
  if (CONSTANT_RELEASES.includes(release.trim().toLowerCase())) {
    return `[crashfree] release is the constant ${JSON.stringify(release)}: set it to a version or commit id for crash-free rates per release.`;
  }
  return undefined;
}

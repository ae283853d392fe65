/**
 * Reads a release's crash-free numbers from a Sentry-compatible sessions API
 * (Sentry SaaS, self-hosted, or the crashfree collector) with only the
 * documented fields, so the same gate runs against any of them.
 */
import type { HealthMetric, RateSample } from './compare.js';
import type { GateOptions } from './cli-args.js';

/** A connection, HTTP or response-shape problem (the CLI's exit code 3). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** True for problems worth retrying: the server unreachable, 429 or 5xx. */
  readonly transient: boolean;
  constructor(message: string, transient = false) {
    super(message);
    this.transient = transient;
  }
}

/** The window a server says it counted (its `start`/`end`), beside the one asked for. */
export interface EffectiveWindow {
  start: string;
  end: string;
  /** The interval the gate asked with, in ms. */
  interval: number;
  askedStart: string;
  askedEnd: string;
  /** Set when the server's window differs from the asked one by more than one interval. */
  warning: string | null;
}

/** One release's numbers: overall and per segment, and the window they cover. */
export interface ReleaseSamples {
  sessions: number;
  users: number;
  /** Crashed sessions of the release (whatever the metric): what the causes' shares are of. */
  crashedSessions: number;
  overall: RateSample;
  segments: Array<{ name: string; sample: RateSample }>;
  window: EffectiveWindow;
}

const HOUR = 3_600_000;
/** Hour multiples that divide a day: Sentry's documented intervals (minimum one hour). */
const INTERVALS = [1, 2, 3, 4, 6, 8, 12, 24].map((h) => h * HOUR);
/** Sentry's limit on intervals per answer. */
const MAX_POINTS = 1000;

/**
 * The finest interval Sentry accepts for a period: at least an hour, dividing
 * a day, and at most MAX_POINTS intervals once the start is floored and the
 * end raised to a boundary (period / interval + 1).
 */
export function chooseInterval(periodMs: number): number {
  for (const i of INTERVALS) if (Math.ceil(periodMs / i) + 1 <= MAX_POINTS) return i;
  throw new ApiError(`--period of ${periodMs / 86_400_000} days is more than Sentry answers at one-day intervals (${MAX_POINTS - 1} days)`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Reads the server's start/end and compares them with the asked window. A
 * missing or unreadable one is an answer the gate cannot place in time.
 */
function effectiveWindow(body: { start?: unknown; end?: unknown }, askedStart: number, askedEnd: number, interval: number): EffectiveWindow {
  const start = typeof body.start === 'string' ? Date.parse(body.start) : Number.NaN;
  const end = typeof body.end === 'string' ? Date.parse(body.end) : Number.NaN;
  if (Number.isNaN(start) || Number.isNaN(end)) throw new ApiError('sessions API response has no readable "start"/"end": cannot tell which window it counted');
  const off = Math.max(Math.abs(start - askedStart), Math.max(0, askedEnd - end));
  const warning =
    off > interval
      ? `the server counted ${iso(start)} to ${iso(end)}, not the asked ${iso(askedStart)} to ${iso(askedEnd)} (off by ${(off / HOUR).toFixed(1)} h, more than the ${interval / HOUR} h interval)`
      : null;
  return { start: iso(start), end: iso(end), interval, askedStart: iso(askedStart), askedEnd: iso(askedEnd), warning };
}

type Totals = Record<string, number | null | undefined>;

const FIELDS = ['sum(session)', 'count_unique(user)', 'crash_free_rate(session)', 'crash_free_rate(user)'];

/** A search value as Sentry's query syntax takes it (quoted unless plain). */
export function quote(value: string): string {
  return /^[\w.+@-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * One metric of one group, or an ApiError when the answer cannot be read
 * (fail closed: a count or rate the gate cannot interpret never passes).
 */
function sampleFrom(totals: Totals, metric: HealthMetric, where: string): RateSample {
  const countField = metric === 'users' ? 'count_unique(user)' : 'sum(session)';
  const rateField = metric === 'users' ? 'crash_free_rate(user)' : 'crash_free_rate(session)';
  const raw = totals[countField];
  // null or absent is "no data" (Sentry's answer for an unknown release): insufficient, not an error.
  const sample = raw === null || raw === undefined ? 0 : raw;
  if (typeof sample !== 'number' || !Number.isInteger(sample) || sample < 0) {
    throw new ApiError(`sessions API answered ${countField} = ${JSON.stringify(raw)}${where}; expected a whole number >= 0`);
  }
  const rate = totals[rateField];
  if (sample === 0) {
    if (rate !== null && rate !== undefined) throw new ApiError(`sessions API answered ${rateField} = ${JSON.stringify(rate)} with 0 ${metric}${where}; the counts disagree`);
    return { sample, failures: 0 };
  }
  if (typeof rate !== 'number' || !Number.isFinite(rate)) {
    throw new ApiError(`sessions API answered ${rateField} = ${JSON.stringify(rate)} with ${sample} ${metric}${where}; cannot tell how many crashed`);
  }
  if (rate < 0 || rate > 1) throw new ApiError(`sessions API answered ${rateField} = ${rate}${where}; a rate is a fraction from 0 to 1`);
  // The API gives a rate, not the crashed count; rounding recovers the integer.
  const exact = sample * (1 - rate);
  const failures = Math.round(exact);
  // Session counts are exact, so the rate must come from a whole crashed count
  // (user counts may be estimates on Sentry, so only sessions are checked).
  if (metric === 'sessions' && Math.abs(exact - failures) > 0.01) {
    throw new ApiError(`sessions API answered ${rateField} = ${rate} with ${sample} sessions${where}: that is ${exact.toFixed(2)} crashed sessions; the counts disagree`);
  }
  return { sample, failures };
}

/** GETs JSON with the token; failures are ApiErrors naming `what` answered (transient ones marked). */
export async function getJson(url: string, token: string, timeoutMs: number, what = 'sessions API'): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ApiError(`cannot reach ${new URL(url).origin}: ${cause}`, true);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) throw new ApiError(`${new URL(url).origin} rejected the token (HTTP ${res.status})`);
  if (!res.ok) throw new ApiError(`${what} answered HTTP ${res.status}: ${text.slice(0, 300)}`, res.status === 429 || res.status >= 500);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(`${what} answered non-JSON: ${text.slice(0, 120)}`);
  }
}

/** Parses `24h`, `7d`, `2w`, `90m` (as --period allows) into ms. */
export function periodMs(period: string): number {
  const m = /^(\d+)([smhdw])$/.exec(period);
  const unit = { s: 1000, m: 60_000, h: HOUR, d: 24 * HOUR, w: 168 * HOUR }[m?.[2] ?? 'h'] ?? HOUR;
  return Number(m?.[1] ?? 24) * unit;
}

/**
 * Fetches one release's samples for the gate's metric (and segments when
 * asked) over the last --period before `now`. The start is sent floored to
 * the interval, so both Sentry's rounding rules (the current one floors the
 * start and raises the end; older servers raised the end and subtracted the
 * range) keep the whole asked window, plus at most one interval before it.
 */
export async function fetchReleaseSamples(opts: GateOptions, release: string, requestTimeoutMs = 30_000, now = Date.now()): Promise<ReleaseSamples> {
  const period = periodMs(opts.period);
  const interval = chooseInterval(period);
  const askedEnd = Math.ceil(now / 1000) * 1000;
  const askedStart = askedEnd - period;
  const params = new URLSearchParams();
  for (const f of FIELDS) params.append('field', f);
  for (const p of opts.projects) params.append('project', p);
  if (opts.environment) params.append('environment', opts.environment);
  params.set('query', `release:${quote(release)}`);
  params.set('start', iso(Math.floor(askedStart / interval) * interval));
  params.set('end', iso(askedEnd));
  params.set('interval', `${interval / HOUR}h`);
  if (opts.segmentBy) params.append('groupBy', opts.segmentBy);
  const url = `${opts.url}/api/0/organizations/${encodeURIComponent(opts.org)}/sessions/?${params}`;
  const body = (await getJson(url, opts.token, requestTimeoutMs)) as { start?: unknown; end?: unknown; groups?: Array<{ by?: Record<string, unknown>; totals?: Totals }> };
  if (!body || !Array.isArray(body.groups)) throw new ApiError('sessions API response has no "groups" array');
  const window = effectiveWindow(body, askedStart, askedEnd, interval);
  const names = opts.segmentBy === 'project' ? await projectNames(opts, body.groups, requestTimeoutMs) : null;
  let sessions = 0;
  let users = 0;
  let failures = 0;
  let userFailures = 0;
  const segments: ReleaseSamples['segments'] = [];
  for (const g of body.groups) {
    const totals = g.totals ?? {};
    const key = opts.segmentBy ? g.by?.[opts.segmentBy] : undefined;
    const where = opts.segmentBy ? ` for ${opts.segmentBy} ${String(key)}` : '';
    const s = sampleFrom(totals, 'sessions', where);
    const u = opts.metric === 'users' || 'count_unique(user)' in totals ? sampleFrom(totals, 'users', where) : { sample: 0, failures: 0 };
    sessions += s.sample;
    failures += s.failures;
    users += u.sample;
    userFailures += u.failures;
    if (opts.segmentBy) segments.push({ name: names?.get(String(key)) ?? String(key ?? 'unknown'), sample: opts.metric === 'users' ? u : s });
  }
  if (opts.segmentBy && opts.metric === 'users' && body.groups.length > 1) {
    // Users seen in two segments would be counted twice: ask for the overall figure.
    const overall = await fetchReleaseSamples({ ...opts, segmentBy: null }, release, requestTimeoutMs, now);
    const biggest = Math.max(0, ...segments.map((x) => x.sample.sample));
    if (overall.users < biggest || overall.users > users) {
      throw new ApiError(`sessions API answered ${overall.users} users overall but ${users} summed over segments (largest ${biggest}); the counts disagree`);
    }
    return { ...overall, segments };
  }
  const overall = opts.metric === 'users' ? { sample: users, failures: userFailures } : { sample: sessions, failures };
  return { sessions, users, crashedSessions: failures, overall, segments, window };
}

/**
 * Sentry answers `by.project` with numeric ids; the gate names segments by
 * slug, read once per run from the projects API. When that list cannot be
 * read (a token without project:read, an older server) the ids stay, with
 * one line saying why.
 */
const slugCache = new Map<string, Promise<Map<string, string> | null>>();

async function projectNames(opts: GateOptions, groups: Array<{ by?: Record<string, unknown> }>, timeoutMs: number): Promise<Map<string, string> | null> {
  if (!groups.some((g) => typeof g.by?.['project'] === 'number' || /^\d+$/.test(String(g.by?.['project'] ?? '')))) return null;
  const key = `${opts.url}\u0000${opts.org}\u0000${opts.token}`;
  let pending = slugCache.get(key);
  if (!pending) {
    pending = getJson(`${opts.url}/api/0/organizations/${encodeURIComponent(opts.org)}/projects/`, opts.token, timeoutMs).then(
      (list) => {
        if (!Array.isArray(list)) throw new ApiError('projects API answered something other than a list');
        return new Map(list.filter((p) => p && p.id !== undefined && typeof p.slug === 'string').map((p) => [String(p.id), p.slug as string]));
      },
    ).catch((error: unknown) => {
      process.stderr.write(`crashfree-gate: showing project ids, not slugs: ${(error as Error).message}\n`);
      return null;
    });
    slugCache.set(key, pending);
  }
  return pending;
}

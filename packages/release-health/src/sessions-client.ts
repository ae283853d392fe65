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

/** One release's numbers: overall and per segment. */
export interface ReleaseSamples {
  sessions: number;
  users: number;
  overall: RateSample;
  segments: Array<{ name: string; sample: RateSample }>;
}

type Totals = Record<string, number | null | undefined>;

const FIELDS = ['sum(session)', 'count_unique(user)', 'crash_free_rate(session)', 'crash_free_rate(user)'];

function quote(value: string): string {
  return /^[\w.+@-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

function sampleFrom(totals: Totals, metric: HealthMetric): RateSample {
  const sample = Number(metric === 'users' ? totals['count_unique(user)'] : totals['sum(session)']) || 0;
  const rate = metric === 'users' ? totals['crash_free_rate(user)'] : totals['crash_free_rate(session)'];
  // The API gives a rate, not the crashed count; rounding recovers the integer.
  const failures = typeof rate === 'number' && sample > 0 ? Math.round(sample * (1 - rate)) : 0;
  return { sample, failures };
}

async function getJson(url: string, token: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ApiError(`cannot reach ${new URL(url).origin}: ${cause}`, true);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) throw new ApiError(`${new URL(url).origin} rejected the token (HTTP ${res.status})`);
  if (!res.ok) throw new ApiError(`sessions API answered HTTP ${res.status}: ${text.slice(0, 300)}`, res.status === 429 || res.status >= 500);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(`sessions API answered non-JSON: ${text.slice(0, 120)}`);
  }
}

/** Fetches one release's samples for the gate's metric (and segments when asked). */
export async function fetchReleaseSamples(opts: GateOptions, release: string, requestTimeoutMs = 30_000): Promise<ReleaseSamples> {
  const params = new URLSearchParams();
  for (const f of FIELDS) params.append('field', f);
  for (const p of opts.projects) params.append('project', p);
  if (opts.environment) params.append('environment', opts.environment);
  params.set('query', `release:${quote(release)}`);
  params.set('statsPeriod', opts.period);
  params.set('interval', '1d');
  if (opts.segmentBy) params.append('groupBy', opts.segmentBy);
  const url = `${opts.url}/api/0/organizations/${encodeURIComponent(opts.org)}/sessions/?${params}`;
  const body = (await getJson(url, opts.token, requestTimeoutMs)) as { groups?: Array<{ by?: Record<string, string>; totals?: Totals }> };
  if (!body || !Array.isArray(body.groups)) throw new ApiError('sessions API response has no "groups" array');
  let sessions = 0;
  let users = 0;
  let failures = 0;
  let userFailures = 0;
  const segments: ReleaseSamples['segments'] = [];
  for (const g of body.groups) {
    const totals = g.totals ?? {};
    const s = sampleFrom(totals, 'sessions');
    const u = sampleFrom(totals, 'users');
    sessions += s.sample;
    failures += s.failures;
    users += u.sample;
    userFailures += u.failures;
    if (opts.segmentBy) segments.push({ name: String(g.by?.[opts.segmentBy] ?? 'unknown'), sample: sampleFrom(totals, opts.metric) });
  }
  if (opts.segmentBy && opts.metric === 'users' && body.groups.length > 1) {
    // Users seen in two segments would be counted twice: ask for the overall figure.
    const overall = await fetchReleaseSamples({ ...opts, segmentBy: null }, release, requestTimeoutMs);
    return { ...overall, segments };
  }
  const overall = opts.metric === 'users' ? { sample: users, failures: userFailures } : { sample: sessions, failures };
  return { sessions, users, overall, segments };
}

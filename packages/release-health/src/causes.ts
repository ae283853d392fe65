/**
 * Why a release halts: its top issues by crashed sessions, read from the
 * issues API that Sentry documents (List an Organization's Issues, an
 * issue's tag breakdown), which the collector serves with the same calls.
 *
 * - Crashed sessions of an issue: its unhandled events in the release
 *   (`error.unhandled:true`, `filtered.count`): a crash ends exactly one
 *   session, and crashfree sends one crash event per crashed session.
 * - new / known / regressed: the issue's first release is this one
 *   (`firstRelease:` in the query, or the collector's own `releaseStatus`),
 *   Sentry's `substatus: regressed`, else known.
 * - Fingerprint drift: a new issue whose culprit (top in-app frame) is the
 *   culprit of a baseline issue that vanished from this release, at a
 *   matching volume (crashed sessions per session within a factor of 2), is
 *   most likely the same bug under a changed fingerprint: "drift suspected".
 * - Segment: a value of `platform`, `os.name` or `runtime` holding at least
 *   80 % of an issue's events.
 *
 * Causes explain a verdict, they never make it: a server without an issues
 * API (or a token without event:read) leaves the verdict as the sessions
 * API decided it, with one line saying why there are no causes.
 */
import type { GateOptions } from './cli-args.js';
import { ApiError, getJson, quote, type ReleaseSamples } from './sessions-client.js';

/** How many issues the gate names. */
const TOP = 5;
/** The segment share that counts as "concentrated". */
const CONCENTRATED = 0.8;
/** Tag keys asked for, most telling first. */
const SEGMENT_KEYS = ['platform', 'os.name', 'runtime'];

/** One issue that crashed sessions of the release. */
export interface IssueCause {
  id: string;
  shortId: string;
  title: string;
  /** The top in-app frame, as the server names it. */
  culprit: string;
  crashedSessions: number;
  /** Share of the release's crashed sessions (0–1), null when the release has none counted. */
  share: number | null;
  users: number;
  status: 'new' | 'known' | 'regressed' | 'drift';
  /** For `drift`: the baseline issue it most likely continues. */
  driftFrom?: { id: string; shortId: string; title: string };
  /** Segments holding at least 80 % of the issue's events. */
  segments: Array<{ key: string; value: string; share: number }>;
}

/** The causes of one run, or why there are none. */
export interface Causes {
  /** Crashed sessions of the release, as the sessions API counted them. */
  crashedSessions: number;
  issues: IssueCause[];
  /** Set when the issues could not be read; the verdict stands. */
  error: string | null;
}

/** An issue as both Sentry and the collector list it (the fields read here). */
interface ListedIssue {
  id?: unknown;
  shortId?: unknown;
  title?: unknown;
  culprit?: unknown;
  substatus?: unknown;
  filtered?: { count?: unknown; userCount?: unknown } | null;
  count?: unknown;
  userCount?: unknown;
  crashfree?: { releaseStatus?: unknown; crashedSessions?: unknown } | null;
}

function listUrl(opts: GateOptions, query: string, limit: number): string {
  const params = new URLSearchParams();
  for (const p of opts.projects) params.append('project', p);
  if (opts.environment) params.append('environment', opts.environment);
  params.set('query', query);
  params.set('statsPeriod', opts.period);
  params.set('sort', 'freq');
  params.set('limit', String(limit));
  return `${opts.url}/api/0/organizations/${encodeURIComponent(opts.org)}/issues/?${params}`;
}

async function list(opts: GateOptions, query: string, limit: number, timeoutMs: number): Promise<ListedIssue[]> {
  const body = await getJson(listUrl(opts, query, limit), opts.token, timeoutMs, 'issues API');
  if (!Array.isArray(body)) throw new ApiError('issues API answered something other than a list');
  return body.filter((i): i is ListedIssue => typeof i === 'object' && i !== null && (typeof i.id === 'string' || typeof i.id === 'number'));
}

const num = (v: unknown): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
};
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Crashed sessions of a listed issue under an `error.unhandled:true` query. */
const crashedOf = (i: ListedIssue): number => num(i.crashfree?.crashedSessions ?? i.filtered?.count ?? i.count);

async function segmentsOf(opts: GateOptions, id: string, timeoutMs: number): Promise<IssueCause['segments']> {
  const out: IssueCause['segments'] = [];
  for (const key of SEGMENT_KEYS) {
    let body: unknown;
    try {
      body = await getJson(`${opts.url}/api/0/organizations/${encodeURIComponent(opts.org)}/issues/${encodeURIComponent(id)}/tags/${encodeURIComponent(key)}/`, opts.token, timeoutMs, 'issues API');
    } catch {
      // A tag the server does not keep (Sentry has no `platform` tag) says nothing about the others.
      continue;
    }
    const b = body as { totalValues?: unknown; topValues?: Array<{ value?: unknown; count?: unknown }> } | null;
    const total = num(b?.totalValues);
    const top = Array.isArray(b?.topValues) ? b!.topValues[0] : undefined;
    if (total > 0 && top && num(top.count) / total >= CONCENTRATED) out.push({ key, value: text(top.value) || String(top.value), share: num(top.count) / total });
  }
  return out;
}

/**
 * Reads the causes of `candidate`'s crashed sessions (and the baseline's
 * issues, for drift). Never throws: a failure is the `error` field.
 */
export async function fetchCauses(opts: GateOptions, candidate: ReleaseSamples, baseline: ReleaseSamples | null, timeoutMs = 30_000): Promise<Causes> {
  const crashedSessions = candidate.crashedSessions;
  try {
    const release = quote(opts.release);
    const listed = (await list(opts, `release:${release} error.unhandled:true`, TOP * 2, timeoutMs)).filter((i) => crashedOf(i) > 0);
    listed.sort((a, b) => crashedOf(b) - crashedOf(a));
    const top = listed.slice(0, TOP);
    if (top.length === 0) return { crashedSessions, issues: [], error: null };
    // The collector says new / known / regressed itself; for Sentry, ask which issues began in this release.
    const ownStatus = top.every((i) => typeof i.crashfree?.releaseStatus === 'string');
    const firstHere = ownStatus ? new Set<string>() : new Set((await list(opts, `release:${release} firstRelease:${release} error.unhandled:true`, 100, timeoutMs)).map((i) => String(i.id)));
    const vanished =
      opts.baseline && baseline
        ? (await list(opts, `release:${quote(opts.baseline)} error.unhandled:true`, TOP * 4, timeoutMs)).filter((b) => !listed.some((c) => String(c.id) === String(b.id)))
        : [];
    const issues: IssueCause[] = [];
    for (const i of top) {
      const id = String(i.id);
      const crashed = crashedOf(i);
      let status: IssueCause['status'] = ownStatus
        ? ((['new', 'known', 'regressed'] as const).find((s) => s === i.crashfree?.releaseStatus) ?? 'known')
        : firstHere.has(id)
          ? 'new'
          : i.substatus === 'regressed'
            ? 'regressed'
            : 'known';
      let driftFrom: IssueCause['driftFrom'];
      if (status === 'new' && text(i.culprit) && baseline) {
        const rate = candidate.sessions > 0 ? crashed / candidate.sessions : 0;
        const twin = vanished.find((b) => {
          const bRate = baseline.sessions > 0 ? crashedOf(b) / baseline.sessions : 0;
          return text(b.culprit) === text(i.culprit) && bRate > 0 && rate > 0 && Math.max(rate, bRate) / Math.min(rate, bRate) <= 2;
        });
        if (twin) {
          status = 'drift';
          driftFrom = { id: String(twin.id), shortId: text(twin.shortId) || String(twin.id), title: text(twin.title) };
        }
      }
      issues.push({
        id,
        shortId: text(i.shortId) || id,
        title: text(i.title),
        culprit: text(i.culprit),
        crashedSessions: crashed,
        share: crashedSessions > 0 ? Math.min(1, crashed / crashedSessions) : null,
        users: num(i.filtered?.userCount ?? i.userCount),
        status,
        ...(driftFrom && { driftFrom }),
        segments: await segmentsOf(opts, id, timeoutMs),
      });
    }
    return { crashedSessions, issues, error: null };
  } catch (error) {
    return { crashedSessions, issues: [], error: error instanceof Error ? error.message : String(error) };
  }
}

/** `new in 1.1.0`, `known`, `regressed`, `fingerprint drift suspected (was CRASHFREE-1)`. */
export function statusText(c: IssueCause, release: string): string {
  if (c.status === 'new') return `new in ${release}`;
  if (c.status === 'drift') return `fingerprint drift suspected (was ${c.driftFrom!.shortId})`;
  return c.status;
}

/** `67% of crashed sessions (8)`. */
export function shareText(c: IssueCause): string {
  return c.share === null ? `${c.crashedSessions} crashed sessions` : `${Math.round(c.share * 100)}% of crashed sessions (${c.crashedSessions})`;
}

/** `os.name Linux 100%`, comma-separated; empty when nothing is concentrated. */
export function segmentText(c: IssueCause): string {
  return c.segments.map((s) => `${s.key} ${s.value} ${Math.round(s.share * 100)}%`).join(', ');
}

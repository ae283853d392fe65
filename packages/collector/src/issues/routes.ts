/**
 * Sentry's issues API over the collector's issue index, so the gate reads
 * issues from the collector and from Sentry with the same calls:
 *   GET issues/?query=&statsPeriod=&environment=&sort=&limit=   (List an Organization's Issues)
 *   GET issues/:id/                                             (Retrieve an Issue)
 *   GET issues/:id/tags/:key/                                   (the tag breakdown: platform, os.name, runtime)
 * Query terms understood: `release:`, `firstRelease:`, `error.unhandled:`,
 * `is:unresolved` (every issue is); anything else is a 400 naming it.
 * Fields are Sentry's (`count` is a string, `filtered` holds the counts under
 * the query's filters) plus a `crashfree` object: fingerprint, crashed
 * sessions, the issue's status in the queried release (new / known /
 * regressed), per-release counts, segments and top frames.
 * Counts are per release and environment totals of the cells last seen in
 * the period (not re-bucketed within it).
 */
import { parseDuration, parseSearch, ParamError } from '../release-api/sessions-params.js';
import type { Issue, IssueCell, IssueIndex } from './issue-index.js';
import { SEGMENT_KEYS } from './event-parts.js';

/** What a route answers: status and JSON body, or undefined when the path is not an issues route. */
export type IssuesAnswer = { status: number; body: unknown } | undefined;

interface Filters {
  release?: string[];
  firstRelease?: string[];
  unhandled?: boolean;
  environments: string[];
  since: number;
}

const SORTS = ['freq', 'date', 'new', 'user'] as const;

/** Answers GET under `issues/` (rest is the path after /organizations/:org/); undefined for other paths. */
export function answerIssues(rest: string, params: URLSearchParams, index: IssueIndex, now = Date.now()): IssuesAnswer {
  if (rest === 'issues') return { status: 200, body: listIssues(params, index, now) };
  const one = /^issues\/([^/]+)$/.exec(rest);
  if (one) {
    const issue = index.get(one[1]!);
    return issue ? { status: 200, body: shape(issue, index, filtersOf(new URLSearchParams(), now)) } : { status: 404, body: { detail: `no issue ${one[1]}` } };
  }
  const tag = /^issues\/([^/]+)\/tags\/([^/]+)$/.exec(rest);
  if (tag) {
    const issue = index.get(tag[1]!);
    if (!issue) return { status: 404, body: { detail: `no issue ${tag[1]}` } };
    return { status: 200, body: tagBreakdown(issue, decodeURIComponent(tag[2]!)) };
  }
  return undefined;
}

function filtersOf(params: URLSearchParams, now: number): Filters {
  const periodText = params.get('statsPeriod') ?? '14d';
  const period = parseDuration(periodText);
  if (!period) throw new ParamError(`statsPeriod: got ${JSON.stringify(periodText)}, expected a duration like 1h, 24h, 14d`);
  const filters: Filters = { environments: params.getAll('environment').filter(Boolean), since: now - period };
  for (const [key, values] of parseSearch(params.get('query') ?? '')) {
    if (key === 'release') filters.release = values;
    else if (key === 'firstRelease') filters.firstRelease = values;
    else if (key === 'error.unhandled') filters.unhandled = values[0] === 'true' || values[0] === '1';
    else if (key === 'is' && values[0] === 'unresolved') continue;
    else throw new ParamError(`query: the collector's issues API understands release:, firstRelease:, error.unhandled: and is:unresolved; got ${JSON.stringify(`${key}:${values.join(',')}`)}`);
  }
  return filters;
}

function cellsOf(issue: Issue, f: Filters): IssueCell[] {
  return [...issue.cells.values()].filter(
    (c) => c.lastSeen >= f.since && (!f.environments.length || f.environments.includes(c.environment)) && (!f.release || f.release.includes(c.release)),
  );
}

function listIssues(params: URLSearchParams, index: IssueIndex, now: number): unknown[] {
  const f = filtersOf(params, now);
  const sortText = params.get('sort') ?? 'date';
  if (!(SORTS as readonly string[]).includes(sortText)) throw new ParamError(`sort: got ${JSON.stringify(sortText)}, expected one of ${SORTS.join(', ')}`);
  const limitText = params.get('limit') ?? '25';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ParamError(`limit: got ${JSON.stringify(limitText)}, expected an integer from 1 to 100`);
  const rows = index
    .all()
    .filter((issue) => !f.firstRelease || f.firstRelease.includes(issue.firstRelease ?? ''))
    .map((issue) => ({ issue, cells: cellsOf(issue, f) }))
    .map((r) => ({ ...r, count: r.cells.reduce((a, c) => a + (f.unhandled ? c.crashedSessions : c.events), 0) }))
    .filter((r) => r.count > 0 && (f.unhandled !== false || r.cells.some((c) => c.events > c.crashedSessions)));
  const key = (r: (typeof rows)[number]): number =>
    sortText === 'freq' ? r.count : sortText === 'new' ? r.issue.firstSeen : sortText === 'user' ? users(r.cells) : Math.max(...r.cells.map((c) => c.lastSeen));
  rows.sort((a, b) => key(b) - key(a) || Number(a.issue.id) - Number(b.issue.id));
  return rows.slice(0, limit).map((r) => shape(r.issue, index, f, r.cells, r.count));
}

function users(cells: IssueCell[]): number {
  const all = new Set<string>();
  for (const c of cells) for (const u of c.users) all.add(u);
  return all.size;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One issue in Sentry's shape, `filtered` under the filters, and the crashfree extension. */
function shape(issue: Issue, index: IssueIndex, f: Filters, cells = cellsOf(issue, f), count = cells.reduce((a, c) => a + c.events, 0)): unknown {
  const everything = [...issue.cells.values()];
  const release = f.release?.length === 1 ? f.release[0]! : undefined;
  const environment = f.environments.length === 1 ? f.environments[0] : undefined;
  const byRelease = new Map<string, { release: string; events: number; crashedSessions: number; users: number; firstSeen: string; lastSeen: string }>();
  for (const c of everything) {
    const r = byRelease.get(c.release) ?? { release: c.release, events: 0, crashedSessions: 0, users: 0, firstSeen: iso(c.firstSeen), lastSeen: iso(c.lastSeen) };
    r.events += c.events;
    r.crashedSessions += c.crashedSessions;
    r.users += c.users.size;
    if (iso(c.firstSeen) < r.firstSeen) r.firstSeen = iso(c.firstSeen);
    if (iso(c.lastSeen) > r.lastSeen) r.lastSeen = iso(c.lastSeen);
    byRelease.set(c.release, r);
  }
  const colon = issue.title.indexOf(': ');
  const status = release ? index.statusIn(issue, release, environment) : undefined;
  return {
    id: issue.id,
    shortId: `CRASHFREE-${issue.id}`,
    title: issue.title,
    culprit: issue.culprit,
    level: issue.level,
    platform: issue.platform,
    status: 'unresolved',
    substatus: status === 'regressed' ? 'regressed' : status === 'new' ? 'new' : 'ongoing',
    type: 'error',
    metadata: { type: issue.type, value: colon >= 0 ? issue.title.slice(colon + 2) : '' },
    project: { id: '1', slug: 'default' },
    firstSeen: iso(issue.firstSeen),
    lastSeen: iso(issue.lastSeen),
    count: String(everything.reduce((a, c) => a + c.events, 0)),
    userCount: users(everything),
    filtered: { count: String(count), userCount: users(cells) },
    crashfree: {
      fingerprint: issue.fingerprint,
      fingerprintVersion: issue.fingerprintVersion,
      firstRelease: issue.firstRelease,
      ...(release !== undefined && { release, releaseStatus: status ?? null }),
      crashedSessions: cells.reduce((a, c) => a + c.crashedSessions, 0),
      usersCapped: issue.usersCapped,
      releases: [...byRelease.values()],
      segments: Object.fromEntries([...issue.segments].map(([k, values]) => [k, Object.fromEntries(values)])),
      topFrames: issue.topFrames,
    },
  };
}

function tagBreakdown(issue: Issue, key: string): unknown {
  if (!(SEGMENT_KEYS as readonly string[]).includes(key)) throw new ParamError(`tag: the collector keeps ${SEGMENT_KEYS.join(', ')}; got ${JSON.stringify(key)}`);
  const values = [...(issue.segments.get(key) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
  const total = values.reduce((a, [, n]) => a + n, 0);
  return {
    key,
    name: key,
    uniqueValues: values.length,
    totalValues: total,
    topValues: values.slice(0, 10).map(([value, count]) => ({ key, name: value, value, count, firstSeen: iso(issue.firstSeen), lastSeen: iso(issue.lastSeen) })),
  };
}

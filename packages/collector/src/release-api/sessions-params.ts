/**
 * Parses the query string of the sessions API the way Sentry's
 * `/organizations/:org/sessions/` reads it: repeated `field` and `groupBy`,
 * `query` (`release:1.2.0 environment:production`, quoted values, `[a,b]`
 * lists), `project`, `environment`, `statsPeriod` or `start`/`end`,
 * `interval`. Every problem becomes a ParamError whose message names the
 * parameter, the value and what is expected — except the checks of the time
 * range, which answer with Sentry's own messages (see `constrainedRange`).
 */
import type { Dimension, HealthQuery } from '@crashfree/release-health';

/** A field the API can compute. */
export type SessionField =
  | 'sum(session)'
  | 'count_unique(user)'
  | 'crash_free_rate(session)'
  | 'crash_free_rate(user)'
  | 'crash_rate(session)'
  | 'crash_rate(user)';

/** Grouping keys: Sentry's, plus `platform` (a crashfree extension). */
export type GroupKey = Dimension | 'session.status';

/** A parsed sessions request. */
export interface SessionsRequest {
  fields: SessionField[];
  groupBy: GroupKey[];
  query: HealthQuery & { start: number; end: number; interval: number };
  queryText: string;
}

/** A bad parameter; answered as 400 with this message. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

const FIELDS: readonly SessionField[] = [
  'sum(session)',
  'count_unique(user)',
  'crash_free_rate(session)',
  'crash_free_rate(user)',
  'crash_rate(session)',
  'crash_rate(user)',
];
const GROUP_KEYS: readonly GroupKey[] = ['release', 'environment', 'project', 'platform', 'session.status'];
const QUERY_KEYS: readonly Dimension[] = ['release', 'environment', 'project', 'platform'];
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `30m`, `1h`, `14d`, `2w` (and bare seconds) into ms; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhdw]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] || 's'] ?? 1000);
}

function parseDate(name: string, text: string): number {
  // Like Sentry, a date without a zone is UTC (Date.parse would take it as local time).
  const zoned = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text.trim()) ? `${text.trim()}Z` : text;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new ParamError(`${name}: got ${JSON.stringify(text)}, expected an ISO 8601 date`);
  return ms;
}

/** Sentry's limit on the number of intervals of one answer (`MAX_POINTS`). */
export const MAX_POINTS = 1000;
/** The finest interval the collector accepts: Sentry's for organizations with minute resolution (its documented default is one hour). */
export const MIN_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
/** Sentry's range when neither statsPeriod nor start/end is given. */
const DEFAULT_PERIOD_MS = 90 * DAY_MS;

function relative(name: string, text: string, now: number): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new ParamError(`Invalid ${name}: '${text}'`);
  return now - ms;
}

/** The requested [start, end) before rounding, read as Sentry's `get_date_range_from_params` does. */
function requestedRange(params: URLSearchParams, now: number): [number, number] {
  const period = params.get('statsPeriod');
  const periodStart = params.get('statsPeriodStart');
  const periodEnd = params.get('statsPeriodEnd');
  const startText = params.get('start');
  const endText = params.get('end');
  let start = now - DEFAULT_PERIOD_MS;
  let end = now;
  if (period !== null) {
    start = relative('statsPeriod', period, now);
  } else if (periodStart || periodEnd) {
    if (!periodStart || !periodEnd) throw new ParamError('statsPeriodStart and statsPeriodEnd are both required');
    start = relative('statsPeriod', periodStart, now);
    end = relative('statsPeriod', periodEnd, now);
  } else if (startText || endText) {
    if (!startText || !endText) throw new ParamError('start and end are both required');
    start = parseDate('start', startText);
    end = parseDate('end', endText);
  }
  if (start >= end) throw new ParamError('start must be before end');
  return [start, end];
}

/**
 * The range and interval of a request, validated and rounded as Sentry's
 * `get_constrained_date_range` does: the interval (default 1h) is a whole
 * multiple of the minimum, at most a day and divides a day; the start is
 * floored to the interval and the end raised to the next interval boundary
 * after it (so the answer covers the request and up to one interval more
 * before it); at most MAX_POINTS intervals. Messages are Sentry's.
 */
export function constrainedRange(params: URLSearchParams, now: number): { start: number; end: number; interval: number } {
  const intervalText = params.get('interval') ?? '1h';
  const interval = parseDuration(intervalText);
  // Sentry silently reads an unparsable interval as 1h; saying so is kinder.
  if (interval === undefined) throw new ParamError(`interval: got ${JSON.stringify(intervalText)}, expected a duration like 1h, 5m, 1d`);
  if (interval < MIN_INTERVAL_MS || interval % MIN_INTERVAL_MS !== 0) {
    throw new ParamError('The interval has to be a multiple of the minimum interval of one minute.');
  }
  if (interval > DAY_MS) throw new ParamError('The interval has to be less than one day.');
  if (DAY_MS % interval !== 0) throw new ParamError('The interval should divide one day without a remainder.');
  let [start, end] = requestedRange(params, now);
  if (start > now) start = now;
  start = Math.floor(start / interval) * interval;
  const points = Math.ceil((end - start) / interval);
  if (points > MAX_POINTS) {
    throw new ParamError('Your interval and date range would create too many results. Use a larger interval, or a smaller date range.');
  }
  return { start, end: start + points * interval, interval };
}

/** Splits `release:"1.2 beta" environment:[a,b]` into key/value-list pairs. */
export function parseSearch(text: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const token = /\s*([\w.]+):(?:"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|(\S+))/y;
  const and = /\s*AND(?=\s|$)/y;
  const trimmed = text.trim();
  let pos = 0;
  while (pos < trimmed.length) {
    and.lastIndex = pos;
    if (and.exec(trimmed)) {
      pos = and.lastIndex;
      continue;
    }
    token.lastIndex = pos;
    const m = token.exec(trimmed);
    if (!m) {
      const rest = trimmed.slice(pos).trim();
      if (rest === '') break;
      throw new ParamError(`query: cannot parse ${JSON.stringify(rest.slice(0, 60))}; expected key:value terms like release:1.2.0 environment:production`);
    }
    const key = m[1] as string;
    const values =
      m[2] !== undefined
        ? [m[2].replace(/\\(.)/g, '$1')]
        : m[3] !== undefined
          ? m[3].split(',').map((v) => v.trim().replace(/^"(.*)"$/, '$1')).filter(Boolean)
          : [m[4] as string];
    out.push([key, values]);
    pos = token.lastIndex;
  }
  return out;
}

/** Parses a sessions API query string; `now` is the collector's clock (injectable for tests). */
export function parseSessionsParams(params: URLSearchParams, now = Date.now()): SessionsRequest {
  const fields = params.getAll('field');
  if (fields.length === 0) throw new ParamError(`field: required; one or more of ${FIELDS.join(', ')}`);
  for (const f of fields) {
    if (!FIELDS.includes(f as SessionField)) throw new ParamError(`field: got ${JSON.stringify(f)}, expected one of ${FIELDS.join(', ')}`);
  }
  const groupBy = params.getAll('groupBy');
  for (const g of groupBy) {
    if (!GROUP_KEYS.includes(g as GroupKey)) throw new ParamError(`groupBy: got ${JSON.stringify(g)}, expected one of ${GROUP_KEYS.join(', ')}`);
  }
  if (groupBy.includes('session.status')) {
    const rate = fields.find((f) => f.includes('rate'));
    if (rate) throw new ParamError(`field: cannot group ${rate} by session.status`);
  }

  const filter: Partial<Record<Dimension, string[]>> = {};
  const add = (key: Dimension, values: string[]): void => {
    filter[key] = [...(filter[key] ?? []), ...values];
  };
  const queryText = params.get('query') ?? '';
  for (const [key, values] of parseSearch(queryText)) {
    if (!QUERY_KEYS.includes(key as Dimension)) throw new ParamError(`query: unknown key ${JSON.stringify(key)}; expected ${QUERY_KEYS.join(', ')}`);
    add(key as Dimension, values);
  }
  const projects = params.getAll('project').filter((p) => p !== '-1' && p !== '');
  if (projects.length) add('project', projects);
  const environments = params.getAll('environment').filter(Boolean);
  if (environments.length) add('environment', environments);

  const { start, end, interval } = constrainedRange(params, now);
  const dims = groupBy.filter((g): g is Dimension => g !== 'session.status');
  return {
    fields: fields as SessionField[],
    groupBy: groupBy as GroupKey[],
    // Distinct users are the expensive part: count them only when asked.
    query: { filter, start, end, interval, groupBy: dims, users: fields.some((f) => f.includes('user')) },
    queryText,
  };
}

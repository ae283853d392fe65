/**
 * Parses the query string of the sessions API the way Sentry's
 * `/organizations/:org/sessions/` reads it: repeated `field` and `groupBy`,
 * `query` (`release:1.2.0 environment:production`, quoted values, `[a,b]`
 * lists), `project`, `environment`, `statsPeriod` or `start`/`end`,
 * `interval`. Every problem becomes a ParamError whose message names the
 * parameter, the value and what is expected.
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
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ParamError(`${name}: got ${JSON.stringify(text)}, expected an ISO 8601 date`);
  return ms;
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

/** Parses a sessions API query string; `now` is injectable for tests. */
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

  const intervalText = params.get('interval') ?? '1h';
  const interval = parseDuration(intervalText);
  if (!interval || interval < 60_000 || interval % 60_000 !== 0) {
    throw new ParamError(`interval: got ${JSON.stringify(intervalText)}, expected a whole number of minutes like 1m, 5m, 1h, 1d`);
  }
  let start: number;
  let end: number;
  const startText = params.get('start');
  const endText = params.get('end');
  if (startText || endText) {
    if (!startText || !endText) throw new ParamError('start/end: give both, as ISO 8601 dates (or use statsPeriod)');
    start = parseDate('start', startText);
    end = parseDate('end', endText);
    if (end <= start) throw new ParamError(`end: ${endText} is not after start ${startText}`);
  } else {
    const periodText = params.get('statsPeriod') ?? '24h';
    const period = parseDuration(periodText);
    if (!period) throw new ParamError(`statsPeriod: got ${JSON.stringify(periodText)}, expected a duration like 1h, 24h, 14d`);
    // The window is exactly the last `period`; only the series buckets are
    // aligned to the interval (the query floors their start).
    end = now + 1;
    start = end - period;
  }
  if ((end - start) / interval > 10_000) {
    throw new ParamError(`interval: ${intervalText} over this range makes more than 10000 buckets; use a larger interval`);
  }
  const dims = groupBy.filter((g): g is Dimension => g !== 'session.status');
  return {
    fields: fields as SessionField[],
    groupBy: groupBy as GroupKey[],
    // Distinct users are the expensive part: count them only when asked.
    query: { filter, start, end, interval, groupBy: dims, users: fields.some((f) => f.includes('user')) },
    queryText,
  };
}

/**
 * Aggregates index cells into groups, totals and time series. Users are
 * merged across cells per group (a user counts once per group however many
 * sessions and minutes they span) and classified by their worst session:
 * crashed > abnormal > errored > healthy, so the four user counts add up.
 */
import type { Cell } from './cells.js';
import { DIMENSIONS, emptyCounts, type Dimension, type HealthCounts } from './types.js';

/** A query over the index. Times are ms since the epoch; the range is [start, end). */
export interface HealthQuery {
  /** Keep only cells whose dimension equals the value (or one of the values). */
  filter?: Partial<Record<Dimension, string | readonly string[]>>;
  start?: number;
  end?: number;
  groupBy?: readonly Dimension[];
  /** Series bucket width in ms (a multiple of one minute); omitted = no series. */
  interval?: number;
}

/** One group of a query result. */
export interface HealthGroup {
  by: Partial<Record<Dimension, string>>;
  totals: HealthCounts;
  /** One entry per `intervals` element (empty when no interval was asked). */
  series: HealthCounts[];
}

/** The result of a query: the effective range, bucket starts and the groups. */
export interface HealthResult {
  start: number;
  end: number;
  interval: number | null;
  intervals: number[];
  groups: HealthGroup[];
}

const DIM_INDEX: Record<Dimension, number> = { project: 0, release: 1, environment: 2, platform: 3 };
const CRASHED = 1;
const ABNORMAL = 2;
const ERRORED = 4;
const MAX_BUCKETS = 10_000;

interface Accumulator {
  group: HealthGroup;
  users: Map<string, number>;
  seriesUsers: Array<Map<string, number>>;
}

function matches(cell: Cell, filter: HealthQuery['filter']): boolean {
  if (!filter) return true;
  for (const dim of DIMENSIONS) {
    const want = filter[dim];
    if (want === undefined) continue;
    const have = cell.dims[DIM_INDEX[dim]];
    if (typeof want === 'string' ? have !== want : !want.includes(have as string)) return false;
  }
  return true;
}

function addCell(counts: HealthCounts, users: Map<string, number>, cell: Cell): void {
  counts.healthy += cell.healthy;
  counts.errored += cell.errored;
  counts.crashed += cell.crashed;
  counts.abnormal += cell.abnormal;
  counts.notTerminated += cell.open;
  counts.sessions += cell.healthy + cell.errored + cell.crashed + cell.abnormal;
  for (const [did, t] of cell.users) {
    const flags = (t.crashed > 0 ? CRASHED : 0) | (t.abnormal > 0 ? ABNORMAL : 0) | (t.errored > 0 ? ERRORED : 0);
    users.set(did, (users.get(did) ?? 0) | flags);
  }
}

function finishUsers(counts: HealthCounts, users: Map<string, number>): void {
  counts.users = users.size;
  for (const flags of users.values()) {
    if (flags & CRASHED) counts.crashedUsers++;
    else if (flags & ABNORMAL) counts.abnormalUsers++;
    else if (flags & ERRORED) counts.erroredUsers++;
    else counts.healthyUsers++;
  }
}

/** Runs a query over cells; throws RangeError for an interval that would make too many buckets. */
export function runQuery(cells: Iterable<Cell>, q: HealthQuery): HealthResult {
  const groupBy = q.groupBy ?? [];
  const selected: Cell[] = [];
  let minMinute = Number.POSITIVE_INFINITY;
  let maxMinute = Number.NEGATIVE_INFINITY;
  for (const cell of cells) {
    if (q.start !== undefined && cell.minute < q.start) continue;
    if (q.end !== undefined && cell.minute >= q.end) continue;
    if (!matches(cell, q.filter)) continue;
    selected.push(cell);
    if (cell.minute < minMinute) minMinute = cell.minute;
    if (cell.minute > maxMinute) maxMinute = cell.minute;
  }
  const interval = q.interval && q.interval > 0 ? Math.max(60_000, Math.round(q.interval / 60_000) * 60_000) : null;
  const now = Date.now();
  let start = q.start ?? (selected.length ? minMinute : now);
  const end = q.end ?? (selected.length ? maxMinute + 60_000 : now);
  if (interval) start = Math.floor(start / interval) * interval;
  const bucketCount = interval ? Math.max(1, Math.ceil((end - start) / interval)) : 0;
  if (bucketCount > MAX_BUCKETS) throw new RangeError(`interval too small: ${bucketCount} buckets (at most ${MAX_BUCKETS})`);
  const intervals = Array.from({ length: bucketCount }, (_, i) => start + i * (interval ?? 0));

  const groups = new Map<string, Accumulator>();
  for (const cell of selected) {
    const key = groupBy.map((d) => cell.dims[DIM_INDEX[d]]).join('\u0000');
    let acc = groups.get(key);
    if (!acc) {
      const by: Partial<Record<Dimension, string>> = {};
      for (const d of groupBy) by[d] = cell.dims[DIM_INDEX[d]];
      acc = {
        group: { by, totals: emptyCounts(), series: intervals.map(() => emptyCounts()) },
        users: new Map(),
        seriesUsers: intervals.map(() => new Map()),
      };
      groups.set(key, acc);
    }
    addCell(acc.group.totals, acc.users, cell);
    if (interval) {
      const i = Math.floor((cell.minute - start) / interval);
      const bucket = acc.group.series[i];
      const bucketUsers = acc.seriesUsers[i];
      if (bucket && bucketUsers) addCell(bucket, bucketUsers, cell);
    }
  }
  const out: HealthGroup[] = [];
  for (const acc of groups.values()) {
    finishUsers(acc.group.totals, acc.users);
    acc.group.series.forEach((counts, i) => finishUsers(counts, acc.seriesUsers[i] ?? new Map()));
    out.push(acc.group);
  }
  out.sort((a, b) => JSON.stringify(a.by).localeCompare(JSON.stringify(b.by)));
  return { start, end, interval, intervals, groups: out };
}

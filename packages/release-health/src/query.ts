/**
 * Aggregates index cells into groups, totals and time series. Users are
 * merged across cells per group (a user counts once per group however many
 * sessions and minutes they span) and classified by their worst session:
 * crashed > abnormal > errored > healthy, so the four user counts add up.
 * Merging uses one flag byte per interned user and a list of the touched
 * ones, so its cost is the number of (cell, user) pairs read, not hashing.
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
  /** False skips distinct-user counting (user fields are then 0); default true. */
  users?: boolean;
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
const SEEN = 1;
const CRASHED = 2;
const ABNORMAL = 4;
const ERRORED = 8;
const MAX_BUCKETS = 10_000;

interface Selected {
  cell: Cell;
  bucket: number;
}

function matches(cell: Cell, filter: HealthQuery['filter']): boolean {
  if (!filter) return true;
  for (const dim of DIMENSIONS) {
    const want = filter[dim];
    if (want === undefined) continue;
    const have = cell.dims[DIM_INDEX[dim]] as string;
    if (typeof want === 'string' ? have !== want : !want.includes(have)) return false;
  }
  return true;
}

function addSessions(counts: HealthCounts, cell: Cell): void {
  counts.healthy += cell.healthy;
  counts.errored += cell.errored;
  counts.crashed += cell.crashed;
  counts.abnormal += cell.abnormal;
  counts.notTerminated += cell.open;
  counts.sessions += cell.healthy + cell.errored + cell.crashed + cell.abnormal;
}

/** Distinct-user merging over a reusable flag array; `finish` resets what it touched. */
class UserMerge {
  private readonly flags: Uint8Array;
  private touched: number[] = [];

  constructor(userCount: number) {
    this.flags = new Uint8Array(userCount);
  }

  add(cell: Cell): void {
    const flags = this.flags;
    const touched = this.touched;
    // forEach: no entry array per user, which for-of over a Map would allocate.
    cell.users.forEach((t, user) => {
      const before = flags[user] as number;
      if (before === 0) touched.push(user);
      flags[user] = before | SEEN | (t.crashed > 0 ? CRASHED : 0) | (t.abnormal > 0 ? ABNORMAL : 0) | (t.errored > 0 ? ERRORED : 0);
    });
  }

  finish(counts: HealthCounts): void {
    const flags = this.flags;
    counts.users = this.touched.length;
    for (const user of this.touched) {
      const f = flags[user] as number;
      if (f & CRASHED) counts.crashedUsers++;
      else if (f & ABNORMAL) counts.abnormalUsers++;
      else if (f & ERRORED) counts.erroredUsers++;
      else counts.healthyUsers++;
      flags[user] = 0;
    }
    this.touched = [];
  }
}

/**
 * Runs a query over cells. `userCount` bounds the interned user numbers.
 * Throws RangeError for an interval that would make too many buckets.
 */
export function runQuery(cells: Iterable<Cell>, q: HealthQuery, userCount: number): HealthResult {
  const groupBy = q.groupBy ?? [];
  const interval = q.interval && q.interval > 0 ? Math.max(60_000, Math.round(q.interval / 60_000) * 60_000) : null;
  const picked: Cell[] = [];
  let minMinute = Number.POSITIVE_INFINITY;
  let maxMinute = Number.NEGATIVE_INFINITY;
  for (const cell of cells) {
    if (q.start !== undefined && cell.minute < q.start) continue;
    if (q.end !== undefined && cell.minute >= q.end) continue;
    if (!matches(cell, q.filter)) continue;
    picked.push(cell);
    if (cell.minute < minMinute) minMinute = cell.minute;
    if (cell.minute > maxMinute) maxMinute = cell.minute;
  }
  const now = Date.now();
  let start = q.start ?? (picked.length ? minMinute : now);
  const end = q.end ?? (picked.length ? maxMinute + 60_000 : now);
  if (interval) start = Math.floor(start / interval) * interval;
  const bucketCount = interval ? Math.max(1, Math.ceil((end - start) / interval)) : 0;
  if (bucketCount > MAX_BUCKETS) throw new RangeError(`interval too small: ${bucketCount} buckets (at most ${MAX_BUCKETS})`);
  const intervals = Array.from({ length: bucketCount }, (_, i) => start + i * (interval ?? 0));

  const byGroup = new Map<string, Selected[]>();
  for (const cell of picked) {
    const key = groupBy.map((d) => cell.dims[DIM_INDEX[d]]).join('\u0000');
    let list = byGroup.get(key);
    if (!list) byGroup.set(key, (list = []));
    list.push({ cell, bucket: interval ? Math.floor((cell.minute - start) / interval) : 0 });
  }

  const countUsers = q.users !== false;
  const merge = countUsers ? new UserMerge(userCount) : null;
  const groups: HealthGroup[] = [];
  for (const list of byGroup.values()) {
    const first = (list[0] as Selected).cell;
    const by: Partial<Record<Dimension, string>> = {};
    for (const d of groupBy) by[d] = first.dims[DIM_INDEX[d]];
    const totals = emptyCounts();
    const series = intervals.map(() => emptyCounts());
    for (const { cell, bucket } of list) {
      addSessions(totals, cell);
      const b = series[bucket];
      if (b) addSessions(b, cell);
      merge?.add(cell);
    }
    merge?.finish(totals);
    if (merge && interval) {
      // Users per bucket: one merge per bucket over that bucket's cells.
      const perBucket: Cell[][] = series.map(() => []);
      for (const { cell, bucket } of list) perBucket[bucket]?.push(cell);
      perBucket.forEach((bucketCells, i) => {
        if (bucketCells.length === 0) return;
        for (const cell of bucketCells) merge.add(cell);
        merge.finish(series[i] as HealthCounts);
      });
    }
    groups.push({ by, totals, series });
  }
  groups.sort((a, b) => JSON.stringify(a.by).localeCompare(JSON.stringify(b.by)));
  return { start, end, interval, intervals, groups };
}

/**
 * The unit of the incremental index: one cell per
 * (project, release, environment, platform, minute the session started),
 * holding outcome counts and a per-user tally. Sessions move between outcomes
 * as updates arrive, so a cell supports adding and removing a contribution.
 */
import type { SessionOutcome } from './types.js';

/** Per-user session counts inside one cell (kept so contributions can be undone). */
export interface UserTally {
  n: number;
  healthy: number;
  errored: number;
  crashed: number;
  abnormal: number;
}

/** One bucket of the index. `dims` is [project, release, environment, platform]. */
export interface Cell {
  dims: readonly [string, string, string, string];
  /** Start of the minute (ms since epoch). */
  minute: number;
  healthy: number;
  errored: number;
  crashed: number;
  abnormal: number;
  /** Of the sessions above, those still `ok` (not terminated). */
  open: number;
  /** Keyed by the index's interned user number (see SessionIndex). */
  users: Map<number, UserTally>;
}

/** One change to a cell: `count` sessions of one outcome, optionally for one user. */
export interface Contribution {
  outcome: SessionOutcome;
  count: number;
  open: boolean;
  /** Interned user number, or null when the session has no user. */
  user: number | null;
}

const MINUTE = 60_000;

/** Minute-aligned start of a timestamp. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

/** Creates an empty cell. */
export function newCell(dims: readonly [string, string, string, string], minute: number): Cell {
  return { dims, minute, healthy: 0, errored: 0, crashed: 0, abnormal: 0, open: 0, users: new Map() };
}

/**
 * Applies a contribution with `sign` +1 (add) or −1 (undo). Undo is exact
 * because every added contribution is remembered by its session.
 */
export function applyContribution(cell: Cell, c: Contribution, sign: 1 | -1): void {
  const delta = sign * c.count;
  cell[c.outcome] += delta;
  if (c.open) cell.open += delta;
  if (c.user === null) return;
  let tally = cell.users.get(c.user);
  if (!tally) {
    tally = { n: 0, healthy: 0, errored: 0, crashed: 0, abnormal: 0 };
    cell.users.set(c.user, tally);
  }
  tally.n += delta;
  tally[c.outcome] += delta;
  if (tally.n <= 0) cell.users.delete(c.user);
}

/**
 * Per-group health rows (rates, intervals, adoption) from an index, and the
 * plain-text table the CLI and the demo print.
 */
import { computeMetrics, formatPercent, type HealthMetrics } from './metrics.js';
import type { HealthQuery } from './query.js';
import type { SessionIndex } from './session-index.js';
import type { Dimension } from './types.js';

/** One group's figures, with adoption among all groups of the same query. */
export interface HealthRow extends HealthMetrics {
  by: Partial<Record<Dimension, string>>;
  /** This group's share of all sessions in the window (null if none). */
  adoptionSessions: number | null;
  /** This group's share of all distinct users in the window (null if none). */
  adoptionUsers: number | null;
}

/**
 * Rows for `q` (default grouping: release). Adoption divides by the same
 * window and filter without the grouping, so a user seen on two releases is
 * one user in the denominator.
 */
export function healthRows(index: SessionIndex, q: HealthQuery = {}): HealthRow[] {
  const groupBy = q.groupBy ?? ['release'];
  const grouped = index.query({ ...q, groupBy, interval: undefined });
  const all = index.query({ ...q, groupBy: [], interval: undefined }).groups[0]?.totals;
  return grouped.groups.map((g) => ({
    by: g.by,
    ...computeMetrics(g.totals),
    adoptionSessions: all && all.sessions > 0 ? g.totals.sessions / all.sessions : null,
    adoptionUsers: all && all.users > 0 ? g.totals.users / all.users : null,
  }));
}

function interval(row: HealthMetrics, metric: 'sessions' | 'users'): string {
  const i = metric === 'users' ? row.crashFreeUsersInterval : row.crashFreeSessionsInterval;
  return i ? `${(i.low * 100).toFixed(2)}–${(i.high * 100).toFixed(2)}` : '';
}

/** Renders rows as an aligned text table (for terminals and logs). */
export function formatHealthTable(rows: HealthRow[]): string {
  const header = ['group', 'sessions', 'crash-free sessions', '95% CI', 'users', 'crash-free users', '95% CI', 'errored', 'abnormal', 'open', 'adoption'];
  const lines = rows.map((r) => [
    Object.values(r.by).join(' / ') || 'all',
    String(r.sessions),
    formatPercent(r.crashFreeSessions),
    interval(r, 'sessions'),
    String(r.users),
    formatPercent(r.crashFreeUsers),
    interval(r, 'users'),
    formatPercent(r.erroredRate),
    formatPercent(r.abnormalRate),
    String(r.notTerminated),
    formatPercent(r.adoptionSessions, 1),
  ]);
  return alignColumns([header, ...lines]);
}

/** Left-aligns the first column and right-aligns the others. */
export function alignColumns(table: string[][]): string {
  const widths: number[] = [];
  for (const row of table) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return table
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/**
 * The persisted form of a request-mode run's running buckets: one small
 * JSON record per run under `requests/<run>`, rewritten (atomically, by the
 * Store) while the counts change, removed when the run closes. It is what
 * the next launch counts when the run was killed (request-recovery.ts).
 */
import type { OwnerMarker } from './types.js';

/** Store key prefix of request-mode snapshots. */
export const SNAPSHOT_PREFIX = 'requests/';

/** The Store key of run `run`'s snapshot. */
export const snapshotKey = (run: string): string => `${SNAPSHOT_PREFIX}${run}`;

/** `[minute (epoch ms), exited, errored, crashed, open]`: ended counts not yet flushed, and requests still open. */
export type SnapshotBucket = [number, number, number, number, number];

/** One run's snapshot. */
export interface RequestSnapshot {
  v: 1;
  /** The aggregate id the run's next flush would have carried: recovery sends under it. */
  id: string;
  owner: OwnerMarker;
  release?: string;
  environment: string;
  buckets: SnapshotBucket[];
}

/** The stored text of `snapshot`. */
export function encodeSnapshot(snapshot: RequestSnapshot): string {
  return JSON.stringify(snapshot);
}

const count = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** The snapshot in `value`, or undefined when it is not one (the caller skips it with a warning). */
export function parseSnapshot(value: unknown): RequestSnapshot | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const s = JSON.parse(value) as Partial<RequestSnapshot>;
    const ok =
      s.v === 1 &&
      typeof s.id === 'string' &&
      s.id !== '' &&
      typeof s.owner === 'object' &&
      s.owner !== null &&
      typeof s.environment === 'string' &&
      (s.release === undefined || typeof s.release === 'string') &&
      Array.isArray(s.buckets) &&
      s.buckets.every((b) => Array.isArray(b) && b.length === 5 && Number.isFinite(b[0]) && b.slice(1).every(count));
    return ok ? (s as RequestSnapshot) : undefined;
  } catch {
    return undefined;
  }
}

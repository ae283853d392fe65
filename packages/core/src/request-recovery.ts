/**
 * Next-launch recovery of request mode: every snapshot (request-snapshot.ts)
 * of a run that is gone becomes one aggregate, sent under the id the run's
 * next flush would have carried. Requests ended before the snapshot keep
 * their status; requests open at it are `abnormal` (the run died with them;
 * after a JS fatal they were already ended `crashed` and persisted).
 */
import type { Envelope, SessionAggregates } from '@sentry/core';
import { bytesCodec } from './envelope-bytes.js';
import { AGGREGATE_ID_HEADER } from './request-sessions.js';
import { parseSnapshot, SNAPSHOT_PREFIX, type RequestSnapshot } from './request-snapshot.js';
import type { Liveness, Store } from './types.js';

/** What request recovery needs from its client. */
export interface RequestRecoveryContext {
  store: Store;
  liveness: Liveness;
  /**
   * The durable queue's key prefix: a dead run's snapshot whose id an
   * aggregate in the queue already carries (the run died between queueing a
   * flush and rewriting its snapshot) is only removed. The queue is read for
   * this only when a dead run's snapshot exists, i.e. after a kill.
   */
  queuePrefix: string;
  /** A `sessions` envelope for `aggregates`. */
  envelope: (aggregates: SessionAggregates) => Envelope;
  /** Queues durably; `afterPersisted` runs once the queue write is done and before the envelope can be sent. */
  enqueue: (envelope: Envelope, afterPersisted: () => Promise<void>) => Promise<void>;
  logger: Pick<Console, 'warn'>;
}

/** What request recovery found. */
export interface RequestRecoveryResult {
  /** Aggregates queued for dead runs. */
  aggregates: number;
  /** Requests counted `abnormal` (open when their run died). */
  abnormal: number;
}

/** An aggregate bucket as Relay accepts it (`abnormal` is missing from @sentry/core's type). */
type Counts = { started: string; exited?: number; errored?: number; crashed?: number; abnormal?: number };

/** The aggregate of a dead run's snapshot, or undefined when it counted nothing. */
export function aggregateOf(snapshot: RequestSnapshot): { aggregates: SessionAggregates; abnormal: number } | undefined {
  let abnormal = 0;
  const buckets: Counts[] = [];
  for (const [minute, exited, errored, crashed, open] of [...snapshot.buckets].sort((a, b) => a[0] - b[0])) {
    if (exited + errored + crashed + open === 0) continue;
    abnormal += open;
    buckets.push({
      started: new Date(minute).toISOString(),
      ...(exited > 0 && { exited }),
      ...(errored > 0 && { errored }),
      ...(crashed > 0 && { crashed }),
      ...(open > 0 && { abnormal: open }),
    });
  }
  if (buckets.length === 0) return undefined;
  const attrs = { environment: snapshot.environment, ...(snapshot.release !== undefined && { release: snapshot.release }) };
  return { aggregates: { attrs, aggregates: buckets } as SessionAggregates, abnormal };
}

/**
 * Queues one aggregate per dead run's snapshot and removes the snapshot once
 * the aggregate is in the queue (before it can be sent), so a recovery cut
 * short is redone under the same id, and one that completed is never redone.
 * Live runs (this one, a sibling) are left alone; unreadable snapshots are
 * removed with one warning.
 */
export async function recoverRequestRuns(ctx: RequestRecoveryContext): Promise<RequestRecoveryResult> {
  const result: RequestRecoveryResult = { aggregates: 0, abnormal: 0 };
  const { store } = ctx;
  let unreadable = 0;
  let queued: Set<string> | undefined;
  for (const key of await store.keys(SNAPSHOT_PREFIX)) {
    const snapshot = parseSnapshot(await store.get(key).catch(() => undefined));
    if (!snapshot) {
      unreadable += 1;
      await store.delete(key).catch(() => undefined);
      continue;
    }
    let alive = true;
    try {
      alive = await ctx.liveness.isAlive(snapshot.owner);
    } catch {
      // Unsure means alive: a live run's requests must not be counted twice.
    }
    if (alive) continue;
    const forget = (): Promise<void> => store.delete(key).catch(() => undefined);
    queued ??= await queuedAggregateIds(store, ctx.queuePrefix);
    const found = queued.has(snapshot.id) ? undefined : aggregateOf(snapshot);
    if (!found) {
      await forget();
      continue;
    }
    const envelope = ctx.envelope(found.aggregates);
    (envelope[0] as Record<string, unknown>)[AGGREGATE_ID_HEADER] = snapshot.id;
    await ctx.enqueue(envelope, forget);
    result.aggregates += 1;
    result.abnormal += found.abnormal;
  }
  if (unreadable > 0) ctx.logger.warn(`[crashfree] skipped ${unreadable} unreadable request-mode snapshot(s); everything else is still sent.`);
  return result;
}

/** The aggregate ids of the envelopes persisted under `prefix` (unreadable entries are the queue's to report). */
async function queuedAggregateIds(store: Store, prefix: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const key of await store.keys(prefix)) {
    try {
      const body = await store.get(key);
      const id = body === undefined ? undefined : (bytesCodec.parse(body)[0] as Record<string, unknown>)[AGGREGATE_ID_HEADER];
      if (typeof id === 'string') ids.add(id);
    } catch {
      // Skipped, as readQueuedIndex does.
    }
  }
  return ids;
}

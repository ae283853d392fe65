import type { Envelope } from '@sentry/core';

/** One application-mode session update, as it waits in the queue (the payload of a lone `session` item). */
export type QueuedUpdate = { sid: string; seq?: number; init?: boolean } & Record<string, unknown>;

/** The update when `envelope` is exactly one session update (what the session engine and recovery queue), else undefined. */
export function sessionUpdateOf(envelope: Envelope): QueuedUpdate | undefined {
  const items = envelope[1];
  const [header, payload] = (items.length === 1 && items[0]) || [];
  const p = payload as Partial<QueuedUpdate> | undefined;
  return header?.type === 'session' && typeof p?.sid === 'string' ? (p as QueuedUpdate) : undefined;
}

/**
 * One update standing for two pending updates of one session: the newer
 * (higher `seq`) as it is, carrying `init: true` if either did, so an init
 * that never left is never lost to a later update that replaced it.
 */
export function mergeUpdates(a: QueuedUpdate, b: QueuedUpdate): QueuedUpdate {
  const newer = (b.seq ?? 0) >= (a.seq ?? 0) ? b : a;
  return { ...newer, init: a.init === true || b.init === true };
}

/** The envelope header where a persisted client report lists the queue keys whose drop it already counts. */
export const DROPPED_KEYS = 'crashfree_dropped';

/**
 * The keys a persisted client report says it counted as dropped: the next
 * launch deletes those entries without counting them again (a run that died
 * between writing its report and deleting the dropped entry).
 */
export function droppedKeysOf(envelope: Envelope): string[] {
  const keys = (envelope[0] as Record<string, unknown>)[DROPPED_KEYS];
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

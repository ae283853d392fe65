import type { Envelope } from '@sentry/core';
import { bytesCodec } from './envelope-bytes.js';
import type { Store } from './types.js';

/** What the durable queue already holds, as recovery needs to know it. */
export interface QueuedIndex {
  /** `event_id`s of the events in queued envelopes. */
  events: Set<string>;
  /** `sid:seq` of the session updates in queued envelopes. */
  updates: Set<string>;
}

/** The key `QueuedIndex.updates` uses for one session update. */
export const updateKey = (sid: string, seq: number): string => `${sid}:${seq}`;

/** An index with nothing in it. */
export const emptyQueuedIndex = (): QueuedIndex => ({ events: new Set(), updates: new Set() });

/** Adds the events and session updates of `envelope` to `index`. */
export function indexEnvelope(index: QueuedIndex, envelope: Envelope): void {
  for (const [header, payload] of envelope[1]) {
    const p = payload as { event_id?: unknown; sid?: unknown; seq?: unknown };
    if (header.type === 'event' && typeof p.event_id === 'string') index.events.add(p.event_id);
    if (header.type === 'session' && typeof p.sid === 'string' && typeof p.seq === 'number') index.updates.add(updateKey(p.sid, p.seq));
  }
}

/**
 * Reads the persisted queue (the keys under `prefix`, the queue's
 * `queue.keyPrefix`) once and lists the events and
 * session updates it holds. Recovery uses it so a crash whose envelope the
 * dying run already queued is not queued a second time, and so every offline
 * launch does not add another copy of the same recovered envelope: the queue
 * is durable and delivers those itself. Unreadable entries are skipped here
 * (the queue's own load reports them).
 */
export async function readQueuedIndex(store: Store, prefix = 'queue/'): Promise<QueuedIndex> {
  const index = emptyQueuedIndex();
  for (const key of await store.keys(prefix)) {
    try {
      const body = await store.get(key);
      if (body !== undefined) indexEnvelope(index, bytesCodec.parse(body));
    } catch {
      // Skipped: an unreadable entry is the queue's to report and remove.
    }
  }
  return index;
}

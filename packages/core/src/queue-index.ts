import type { DataCategory } from '@sentry/core';
import type { QueueOptions } from './options.js';
import type { StoreValue } from './types.js';
import type { QueuedUpdate } from './queue-ratio.js';

/** One queued envelope as the durable transport tracks it. */
export interface QueueEntry {
  key: string;
  time: number;
  bytes: number;
  categories: DataCategory[];
  body?: StoreValue;
  onDelivered?: () => void;
  /** Settles when the envelope may be sent (see `afterPersisted` of `enqueue`). */
  hold?: Promise<void>;
  /** A coalesced client report: outside the bounds, never an overflow victim (its body is always in memory). */
  report?: boolean;
  /** A report's drops whose entries are not deleted yet: listed in its persisted form, so no launch counts them twice. */
  victims?: string[];
  /** Left by an earlier run: a later update of its session merges into it rather than queue behind it. */
  waited?: boolean;
  /** The waiting application-session update (body in memory), where later updates of its session merge. */
  update?: QueuedUpdate;
}

/**
 * The in-memory index of the durable queue (see `createQueueIndex`): a tuple
 * of closures its one user (the transport) destructures, so page bundles
 * carry no method names for it.
 */
export type QueueIndex = [
  /** Entries in queue order (insertion order, oldest first); `reset` replaces the Map. */
  entries: () => Map<string, QueueEntry>,
  /** Appends `entry` (a report becomes the pending one). */
  insert: (entry: QueueEntry) => void,
  /** Removes `entry` if it is still indexed. */
  remove: (entry: QueueEntry) => void,
  /** Re-indexes `all` in key order (loading adds older runs' entries before this run's). */
  reset: (all: QueueEntry[]) => void,
  /** The report a new report merges into: pending and not being sent (its body was already read for the request). */
  mergeTarget: () => QueueEntry | undefined,
  /**
   * Drops what the bounds drop now, in order: entries older than `maxAgeMs`,
   * then, while the events and attachments are over `maxCount` or
   * `maxBytes`, the oldest of them. Session data is never an overflow victim
   * (nor counted), nor is the report or the entry in flight. `drop` must remove.
   */
  enforce: (bounds: QueueOptions, now: number, drop: (entry: QueueEntry) => void) => void,
];

/**
 * The durable queue's index: O(1) removal in queue order, the running count
 * and byte total the bounds apply to (client reports are not counted: at most
 * one waits, and it is where drops get counted), and the pending report. A
 * closure rather than a class so its internals minify in browser bundles.
 * `inFlight` tells the entry whose request is running: never dropped or merged into.
 */
export function createQueueIndex(inFlight: () => QueueEntry | undefined): QueueIndex {
  let entries = new Map<string, QueueEntry>();
  let counted = 0;
  let totalBytes = 0;
  let pendingReport: QueueEntry | undefined;

  /** Whether the bounds count `e`: events and attachments. Not the report, not session data (updates, aggregates: the crash-free numbers). */
  const bounded = (e: QueueEntry): boolean => !e.report && !e.categories.includes('session');

  const insert = (entry: QueueEntry): void => {
    entries.set(entry.key, entry);
    if (entry.report) pendingReport = entry;
    if (!bounded(entry)) return;
    counted += 1;
    totalBytes += entry.bytes;
  };

  const overflowVictim = (): QueueEntry | undefined => {
    for (const e of entries.values()) if (e !== inFlight() && bounded(e)) return e;
    return undefined;
  };

  return [
    () => entries,
    insert,
    (entry) => {
      if (entries.get(entry.key) === entry) {
        entries.delete(entry.key);
        if (bounded(entry)) {
          counted -= 1;
          totalBytes -= entry.bytes;
        }
      }
      if (pendingReport === entry) pendingReport = undefined;
    },
    (all) => {
      entries = new Map();
      counted = 0;
      totalBytes = 0;
      pendingReport = undefined;
      // Keys are unique: no two compare equal.
      for (const e of all.sort((a, b) => (a.key < b.key ? -1 : 1))) insert(e);
    },
    () => {
      const r = pendingReport;
      return r && r !== inFlight() && entries.has(r.key) ? r : undefined;
    },
    (bounds, now, drop) => {
      for (const e of entries.values()) {
        if (now - e.time <= bounds.maxAgeMs) break; // oldest first: the rest are younger
        if (e !== inFlight() && !e.report) drop(e);
      }
      while (counted > bounds.maxCount || totalBytes > bounds.maxBytes) {
        const victim = overflowVictim();
        if (!victim || (counted === 1 && victim.bytes <= bounds.maxBytes)) break;
        drop(victim);
      }
    },
  ];
}

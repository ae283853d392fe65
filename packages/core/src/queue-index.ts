import type { DataCategory } from '@sentry/core';
import type { QueueOptions } from './options.js';
import type { StoreValue } from './types.js';

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
}

/**
 * The in-memory index of the durable queue: entries in queue order (oldest
 * first, O(1) removal), the running count and byte total the bounds apply
 * to, the one pending client report later reports merge into, and the entry
 * being sent (never dropped or merged into while its request runs).
 */
export class QueueIndex {
  /** Insertion order is queue order. */
  public entries = new Map<string, QueueEntry>();
  public inFlight: QueueEntry | undefined;
  // Client reports are not counted: at most one waits, and it is where drops get counted.
  private counted = 0;
  private totalBytes = 0;
  private pendingReport: QueueEntry | undefined;

  public get size(): number {
    return this.entries.size;
  }

  /** Appends `entry` (a report becomes the pending one). */
  public insert(entry: QueueEntry): void {
    this.entries.set(entry.key, entry);
    if (entry.report) {
      this.pendingReport = entry;
      return;
    }
    this.counted += 1;
    this.totalBytes += entry.bytes;
  }

  /** Removes `entry` if it is still indexed. */
  public remove(entry: QueueEntry): void {
    if (this.entries.get(entry.key) === entry) {
      this.entries.delete(entry.key);
      if (!entry.report) {
        this.counted -= 1;
        this.totalBytes -= entry.bytes;
      }
    }
    if (this.pendingReport === entry) this.pendingReport = undefined;
  }

  /** Re-indexes `all` in key order (loading adds older runs' entries before this run's). */
  public reset(all: QueueEntry[]): void {
    this.entries = new Map();
    this.counted = 0;
    this.totalBytes = 0;
    this.pendingReport = undefined;
    for (const e of all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) this.insert(e);
  }

  /** The report a new report merges into: pending and not being sent (its body was already read for the request). */
  public mergeTarget(): QueueEntry | undefined {
    const r = this.pendingReport;
    return r && r !== this.inFlight && this.entries.has(r.key) ? r : undefined;
  }

  /**
   * What the bounds drop now, in order: entries older than `maxAgeMs`, then,
   * while over `maxCount` or `maxBytes`, the oldest envelope without session
   * data, else the oldest of all (session updates are the crash-free numbers
   * themselves, and losing an `init` would orphan the session's later
   * updates). Never the report nor the entry in flight. `drop` must remove.
   */
  public enforce(bounds: QueueOptions, now: number, drop: (entry: QueueEntry) => void): void {
    for (const e of this.entries.values()) {
      if (now - e.time <= bounds.maxAgeMs) break; // oldest first: the rest are younger
      if (e !== this.inFlight && !e.report) drop(e);
    }
    while (this.counted > bounds.maxCount || this.totalBytes > bounds.maxBytes) {
      const victim = this.overflowVictim();
      if (!victim || (this.counted === 1 && victim.bytes <= bounds.maxBytes)) break;
      drop(victim);
    }
  }

  private overflowVictim(): QueueEntry | undefined {
    let oldest: QueueEntry | undefined;
    for (const e of this.entries.values()) {
      if (e === this.inFlight || e.report) continue;
      oldest = oldest ?? e;
      if (!e.categories.includes('session')) return e;
    }
    return oldest;
  }
}

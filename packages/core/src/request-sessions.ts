import type { AggregationCounts, Envelope, SessionAggregates } from '@sentry/core';
import type { CoreDeps } from './clock.js';
import { encodeSnapshot, snapshotKey, type RequestSnapshot } from './request-snapshot.js';
import type { OwnerMarker, Store } from './types.js';
import { uuid4 } from './uuid.js';

/** Terminal status of one request's session. */
export type RequestStatus = 'exited' | 'errored' | 'crashed';

/**
 * The envelope-header field naming one aggregate (one flush of the buckets).
 * A resend carries the same value, so a backend that dedupes on it (the
 * crashfree collector) stores the aggregate once; Sentry's Relay keeps
 * unknown envelope headers "for forward compatibility" and ignores them.
 */
export const AGGREGATE_ID_HEADER = 'crashfree_aggregate_id';

/** How often (at most) the running buckets are snapshotted to the Store while they change. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 500;

/**
 * One incoming request's session (request mode). Errors captured while it is
 * the resolved request mark it; `end` counts it exactly once into the
 * aggregate bucket of the minute it started.
 */
export interface RequestSession {
  /** `ok` while running, then the status it was counted with. */
  readonly status: 'ok' | RequestStatus;
  /** Captures `exception` for this request (marks it errored, or crashed when the hint says unhandled). */
  captureException(exception: unknown, hint?: { mechanism?: { handled?: boolean; type?: string } }): string;
  /** Marks the request as having had a handled error. */
  markErrored(): void;
  /** Marks the request crashed (an unhandled error). */
  markCrashed(): void;
  /** Counts the request once; later calls do nothing. Without `status`, what was marked (or `exited`). */
  end(status?: RequestStatus): void;
}

/** One start minute's counts: ended requests not yet flushed, and requests still open. */
export interface RequestBucket {
  readonly minute: number;
  exited: number;
  errored: number;
  crashed: number;
  open: number;
}

/** What the aggregator needs from its client. */
export interface RequestAggregatorContext {
  deps: CoreDeps;
  release?: string;
  environment: string;
  intervalMs: number;
  envelope: (aggregates: SessionAggregates) => Envelope;
  /** Queues durably; `afterPersisted` runs once the queue write is done and before the envelope can be sent. */
  enqueue: (envelope: Envelope, afterPersisted?: () => Promise<void>) => Promise<void>;
  /** Synchronous persistence for the fatal path. */
  enqueueSync: (envelope: Envelope) => void;
  capture: (request: RequestSession, exception: unknown, hint?: { mechanism?: { handled?: boolean; type?: string } }) => string;
  /**
   * Where the running buckets are snapshotted (see request-snapshot.ts), so a
   * killed run's counts are recovered on the next launch. Without it, counts
   * live in memory until the flush (the landed behaviour).
   */
  store?: Store;
  /** This run's liveness marker, written into every snapshot. */
  owner?: () => OwnerMarker;
  /** Snapshot period; default {@link DEFAULT_SNAPSHOT_INTERVAL_MS}. */
  snapshotIntervalMs?: number;
  logger?: Pick<Console, 'warn'>;
}

/**
 * Request-mode session accounting: per-minute buckets of ended requests,
 * flushed as one `sessions` envelope every `intervalMs` (timer unref'd) and
 * on close. Counts are exact: every ended request is in exactly one flush,
 * and every flush carries its own {@link AGGREGATE_ID_HEADER}.
 *
 * Durability against a kill (SIGKILL, OOM, native crash): while the counts
 * change, the buckets (ended counts, open requests, the id the next flush
 * will carry) are written to the Store at most every `snapshotIntervalMs`,
 * off the request path (one timer, one async write, never one per request).
 * A run killed later is recovered from its last snapshot by the next launch
 * (request-recovery.ts): requests ended before that snapshot with their
 * status, requests open at it `abnormal`. Lost at most: requests that
 * started after the last snapshot landed, i.e. within the last
 * `snapshotIntervalMs` plus one write; a request open at the snapshot that
 * ended in that window is counted `abnormal` instead of its status.
 */
export class RequestAggregator {
  private buckets = new Map<number, RequestBucket>();
  private timer: unknown;
  private closed = false;
  /** The id the next flush carries; a snapshot names it, so recovery resends under the same id. */
  private aggregateId = uuid4();
  private readonly runKey = snapshotKey(uuid4().slice(0, 16));
  /** The last bucket started into: the common case (this minute) needs no Map lookup. */
  private last: RequestBucket | undefined;
  private snapshotTimer: unknown;
  private dirty = false;
  /** Between a flush's take and its queue write: a snapshot now would drop the flushed counts. */
  private sealing = 0;
  private written = false;
  private writes: Promise<void> = Promise.resolve();
  private warned = false;

  public constructor(private readonly ctx: RequestAggregatorContext) {}

  /** Starts one request's session. */
  public start(): RequestSession {
    const minute = Math.floor(this.ctx.deps.now() / 60_000) * 60_000;
    let b = this.last;
    if (b === undefined || b.minute !== minute) b = this.bucketOf(minute);
    b.open += 1;
    if (!this.dirty) this.touch();
    return new OneRequest(this, b);
  }

  /** Captures for `request` through the client (used by `OneRequest`). */
  public capture(request: RequestSession, exception: unknown, hint?: { mechanism?: { handled?: boolean; type?: string } }): string {
    return this.ctx.capture(request, exception, hint);
  }

  /** Queues every non-empty bucket as one aggregate envelope and empties them. */
  public flush(): Promise<void> {
    const envelope = this.take();
    if (!envelope) return Promise.resolve();
    if (!this.ctx.store) return this.ctx.enqueue(envelope);
    // The next snapshot (new id, counts emptied) is written once the flushed
    // aggregate is in the queue and before it can be sent: at every instant
    // the disk holds the counts once, in the snapshot or in the queue (where
    // the snapshot's id tells recovery it is already there).
    this.sealing += 1;
    let sealed = false;
    const seal = (): Promise<void> => {
      if (sealed) return this.writes;
      sealed = true;
      this.sealing -= 1;
      return this.persist();
    };
    return this.ctx.enqueue(envelope, seal).then(seal, seal);
  }

  /**
   * Fatal path: persists the buckets synchronously (`store.setSync`) so the
   * counts survive the process: the flushed aggregate into the queue, then
   * the snapshot of what is still open.
   */
  public flushSync(): void {
    const envelope = this.take();
    if (envelope) this.ctx.enqueueSync(envelope);
    const { store } = this.ctx;
    if (!store?.setSync || (!envelope && !this.dirty && !this.written)) return;
    try {
      store.setSync(this.runKey, this.encode());
      this.written = true;
      this.dirty = false;
    } catch (e) {
      this.warnOnce(e);
    }
  }

  private take(): Envelope | undefined {
    const aggregates: AggregationCounts[] = [];
    for (const b of [...this.buckets.values()].sort((x, y) => x.minute - y.minute)) {
      if (b.exited + b.errored + b.crashed > 0) {
        aggregates.push({
          started: new Date(b.minute).toISOString(),
          ...(b.exited > 0 && { exited: b.exited }),
          ...(b.errored > 0 && { errored: b.errored }),
          ...(b.crashed > 0 && { crashed: b.crashed }),
        });
        b.exited = b.errored = b.crashed = 0;
      }
      // A bucket with open requests stays: they count into it (by reference) when they end.
      if (b.open === 0) {
        this.buckets.delete(b.minute);
        if (this.last === b) this.last = undefined;
      }
    }
    if (aggregates.length === 0) return undefined;
    const attrs = { environment: this.ctx.environment, ...(this.ctx.release !== undefined && { release: this.ctx.release }) };
    const envelope = this.ctx.envelope({ attrs, aggregates });
    (envelope[0] as Record<string, unknown>)[AGGREGATE_ID_HEADER] = this.aggregateId;
    this.aggregateId = uuid4();
    return envelope;
  }

  /** Stops the timers, flushes what is left, and removes this run's snapshot (a closed run is not recovered). */
  public async close(): Promise<void> {
    this.closed = true;
    this.ctx.deps.clearTimeout(this.timer);
    this.ctx.deps.clearTimeout(this.snapshotTimer);
    this.timer = this.snapshotTimer = undefined;
    await this.flush();
    await this.writes;
    if (this.written) await this.ctx.store?.delete(this.runKey).catch(() => undefined);
    this.written = false;
  }

  /** Counts one ended request into its start minute's bucket (used by `OneRequest`). */
  public count(b: RequestBucket, status: RequestStatus): void {
    b.open -= 1;
    b[status] += 1;
    if (!this.dirty) this.touch();
    if (this.timer === undefined && !this.closed) {
      this.timer = this.ctx.deps.setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.ctx.intervalMs);
    }
  }

  private bucketOf(minute: number): RequestBucket {
    let b = this.buckets.get(minute);
    if (!b) {
      b = { minute, exited: 0, errored: 0, crashed: 0, open: 0 };
      this.buckets.set(minute, b);
    }
    this.last = b;
    return b;
  }

  /** Marks the counts changed and arms the snapshot timer (once per period, not per request). */
  private touch(): void {
    this.dirty = true;
    if (this.snapshotTimer !== undefined || this.closed || !this.ctx.store) return;
    this.snapshotTimer = this.ctx.deps.setTimeout(() => {
      this.snapshotTimer = undefined;
      if (this.sealing > 0) {
        this.touch();
        return;
      }
      void this.persist();
    }, this.ctx.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS);
  }

  /**
   * Writes the snapshot after the writes before it, encoding it when its turn
   * comes, so the last write to land is always the newest state. A failed
   * write warns once and is retried at the next change.
   */
  private persist(): Promise<void> {
    const { store } = this.ctx;
    if (!store) return Promise.resolve();
    this.writes = this.writes.then(async () => {
      // A closed run's snapshot is removed by close(); no late write may bring it back.
      if (this.closed) return;
      this.dirty = false;
      try {
        await store.set(this.runKey, this.encode());
        this.written = true;
      } catch (e) {
        this.warnOnce(e);
      }
    });
    return this.writes;
  }

  private encode(): string {
    const snapshot: RequestSnapshot = {
      v: 1,
      id: this.aggregateId,
      owner: this.ctx.owner?.() ?? {},
      environment: this.ctx.environment,
      ...(this.ctx.release !== undefined && { release: this.ctx.release }),
      buckets: [...this.buckets.values()].map((b) => [b.minute, b.exited, b.errored, b.crashed, b.open]),
    };
    return encodeSnapshot(snapshot);
  }

  private warnOnce(e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.ctx.logger?.warn(`[crashfree] could not persist the request counts (${String(e)}); they are sent from memory, and a kill loses them.`);
  }
}

/**
 * One request's session. A class with plain fields, not an object literal
 * with a getter and closures: this runs once per request, and V8 builds a
 * getter-bearing literal slowly (microseconds) where a class instance costs
 * tens of nanoseconds. It holds its bucket, so ending needs no lookup.
 */
class OneRequest implements RequestSession {
  public status: 'ok' | RequestStatus = 'ok';
  private marked: RequestStatus = 'exited';

  public constructor(
    private readonly agg: RequestAggregator,
    private readonly bucket: RequestBucket,
  ) {}

  public captureException(exception: unknown, hint?: { mechanism?: { handled?: boolean; type?: string } }): string {
    return this.agg.capture(this, exception, hint);
  }

  public markErrored(): void {
    if (this.marked === 'exited') this.marked = 'errored';
  }

  public markCrashed(): void {
    this.marked = 'crashed';
  }

  public end(final?: RequestStatus): void {
    if (this.status !== 'ok') return;
    this.status = final ?? this.marked;
    this.agg.count(this.bucket, this.status);
  }
}

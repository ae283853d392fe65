import type { AggregationCounts, Envelope, SessionAggregates } from '@sentry/core';
import type { CoreDeps } from './clock.js';

/** Terminal status of one request's session. */
export type RequestStatus = 'exited' | 'errored' | 'crashed';

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

interface Bucket {
  exited: number;
  errored: number;
  crashed: number;
}

/** What the aggregator needs from its client. */
export interface RequestAggregatorContext {
  deps: CoreDeps;
  release?: string;
  environment: string;
  intervalMs: number;
  envelope: (aggregates: SessionAggregates) => Envelope;
  enqueue: (envelope: Envelope) => Promise<void>;
  /** Synchronous persistence for the fatal path. */
  enqueueSync: (envelope: Envelope) => void;
  capture: (request: RequestSession, exception: unknown, hint?: { mechanism?: { handled?: boolean; type?: string } }) => string;
}

/**
 * Request-mode session accounting: per-minute buckets of ended requests,
 * flushed as one `sessions` envelope every `intervalMs` (timer unref'd) and
 * on close. Counts are exact: every ended request is in exactly one flush.
 */
export class RequestAggregator {
  private buckets = new Map<number, Bucket>();
  private timer: unknown;
  private closed = false;

  public constructor(private readonly ctx: RequestAggregatorContext) {}

  /** Starts one request's session. */
  public start(): RequestSession {
    return new OneRequest(this, Math.floor(this.ctx.deps.now() / 60_000) * 60_000);
  }

  /** Captures for `request` through the client (used by `OneRequest`). */
  public capture(request: RequestSession, exception: unknown, hint?: { mechanism?: { handled?: boolean; type?: string } }): string {
    return this.ctx.capture(request, exception, hint);
  }

  /** Queues every non-empty bucket as one aggregate envelope and empties them. */
  public flush(): Promise<void> {
    const envelope = this.take();
    return envelope ? this.ctx.enqueue(envelope) : Promise.resolve();
  }

  /** Fatal path: persists the buckets synchronously (`store.setSync`) so the counts survive the process. */
  public flushSync(): void {
    const envelope = this.take();
    if (envelope) this.ctx.enqueueSync(envelope);
  }

  private take(): Envelope | undefined {
    if (this.buckets.size === 0) return undefined;
    const aggregates: AggregationCounts[] = [...this.buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([minute, b]) => ({
        started: new Date(minute).toISOString(),
        ...(b.exited > 0 && { exited: b.exited }),
        ...(b.errored > 0 && { errored: b.errored }),
        ...(b.crashed > 0 && { crashed: b.crashed }),
      }));
    this.buckets = new Map();
    const attrs = { environment: this.ctx.environment, ...(this.ctx.release !== undefined && { release: this.ctx.release }) };
    return this.ctx.envelope({ attrs, aggregates });
  }

  /** Stops the timer and flushes what is left. */
  public close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.ctx.deps.clearTimeout(this.timer);
    this.timer = undefined;
    return this.flush();
  }

  /** Counts one ended request into the bucket of its start minute (used by `OneRequest`). */
  public count(minute: number, status: RequestStatus): void {
    let b = this.buckets.get(minute);
    if (!b) {
      b = { exited: 0, errored: 0, crashed: 0 };
      this.buckets.set(minute, b);
    }
    b[status] += 1;
    if (this.timer === undefined && !this.closed) {
      this.timer = this.ctx.deps.setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.ctx.intervalMs);
    }
  }
}

/**
 * One request's session. A class with plain fields, not an object literal
 * with a getter and closures: this runs once per request, and V8 builds a
 * getter-bearing literal slowly (microseconds) where a class instance costs
 * tens of nanoseconds.
 */
class OneRequest implements RequestSession {
  public status: 'ok' | RequestStatus = 'ok';
  private marked: RequestStatus = 'exited';

  public constructor(
    private readonly agg: RequestAggregator,
    private readonly startedMinute: number,
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
    this.agg.count(this.startedMinute, this.status);
  }
}

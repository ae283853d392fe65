import type { ClientOptions, DataCategory, DsnComponents, EventDropReason, EventHint, SdkMetadata, SessionStatus, SeverityLevel } from '@sentry/core';
import type { RecoveryResult } from './recovery.js';

/**
 * The crashfree client without @sentry/core's `Client` class, for bundles
 * where every byte counts (the browser): the same session engine,
 * capture-time accounting, event policy, durable queue, recovery, client
 * reports and option messages as `createClient`'s application mode, with
 * the scopes (`setUser`, tags, breadcrumbs) and integrations' `setup` /
 * `processEvent` / `afterAllSetup` hooks. No request mode and no fatal
 * process path, and no @sentry/core runtime code (its types only). It is
 * bound as the lite API's client, so `captureException`, `setUser` and
 * `flush` from `@crashfree/core/lite` reach it.
 */
export interface LiteClient {
  /** Whether the client runs (valid options, a DSN, not closed). */
  isEnabled(): boolean;
  /** Recovery of previous runs, then the persisted queue, then this run's session; runs once. */
  start(): Promise<RecoveryResult>;
  /** Starts a session (ending a running one `exited`); nothing after `close()`. */
  startSession(): void;
  /** Ends the session with `status` (default `exited`) at `at` (epoch ms, default now). */
  endSession(status?: Exclude<SessionStatus, 'ok'>, at?: number): void;
  /** The running session's id. */
  getSessionId(): string | undefined;
  /** The user changed (`setUser` calls it): the running session takes the did now, written synchronously where the Store can. */
  didChanged(): void;
  /** Ends the queue's backoff and sends what waits now (rate limits still hold); never rejects. */
  retryNow(): Promise<void>;
  /** Urgent mode while the page goes away: queued envelopes leave at once, side by side (see DurableTransport.setUrgent). */
  setUrgent(on: boolean): void;
  /** Counts the error into the session now, then sends it through the policy; returns the event id. */
  captureException(exception: unknown, hint?: EventHint): string;
  /** A `fatal` message crashes the session; other messages count nothing. */
  captureMessage(message: string, level?: SeverityLevel, hint?: EventHint): string;
  /** Counts a drop for the next client report (sent within `clientReportFlushInterval`, default 60 s). */
  recordDroppedEvent(reason: EventDropReason, category: DataCategory, count?: number): void;
  /** Waits for session writes and captures in flight, sends client reports, flushes the queue (up to `timeout` ms). */
  flush(timeout?: number): Promise<boolean>;
  /** Ends the session `exited`, flushes, then stops. */
  close(timeout?: number): Promise<boolean>;
  /** The options as @sentry/core helpers read them (`normalizeDepth`, `maxBreadcrumbs`, ...). */
  getOptions(): ClientOptions;
  getDsn(): DsnComponents | undefined;
  getSdkMetadata(): SdkMetadata;
  /** Hook registration as integrations use it (`client.on(name, fn)`); returns the unsubscribe function. */
  on(hook: string, callback: (...args: unknown[]) => void): () => void;
  /** Calls the callbacks registered for `hook`. */
  emit(hook: string, ...args: unknown[]): void;
}

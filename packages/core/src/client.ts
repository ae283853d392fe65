import {
  Client,
  getCurrentScope,
  getIsolationScope,
  isAlreadyCaptured,
  rejectedSyncPromise,
  resolvedSyncPromise,
  type ClientOptions,
  type Event,
  type DataCategory,
  type EventDropReason,
  type EventHint,
  type ParameterizedString,
  type Scope,
  type SessionStatus,
  type SeverityLevel,
} from '@sentry/core';
import { ACCOUNTED, classifyEvent, type Accounting, classifyException, classifyMessage, type Accounted, type MarkedHint } from './accounting.js';
import type { AppSessions } from './app-sessions.js';
import type { SyncEnds } from './session-sync-ends.js';
import { within, type CoreDeps } from './clock.js';
import { buildEngine } from './engine.js';
import type { CoreFeatures } from './features.js';
import type { ResolvedOptions } from './options.js';
import { isUnhandledEvent, type EventPolicy } from './policy.js';
import { readQueuedIndex, type QueuedIndex } from './queued-index.js';
import { recover, type RecoveryResult } from './recovery.js';
import type { PersistedSession } from './session-state.js';
import type { RequestAggregator, RequestSession } from './request-sessions.js';
import { recoverRequestRuns } from './request-recovery.js';
import { sessionsEnvelope } from './envelope.js';
import { crashRecovery, createCrashSource } from './crash-recovery.js';
import { sentryClientOptions } from './sentry-options.js';
import type { DurableTransport } from './transport.js';
import type { ExternalCrash, Platform, SessionEnd, SessionEndHint } from './types.js';

/** What `client.start()` is told of previous runs by the platform. */
export interface StartOptions {
  crashes?: ExternalCrash[];
  sessionEnds?: SessionEnd[];
}

const NOOP_REQUEST: RequestSession = {
  status: 'ok',
  captureException: () => '',
  markErrored: () => undefined,
  markCrashed: () => undefined,
  end: () => undefined,
};

/**
 * The crashfree client: @sentry/core's Client (scopes, integrations, hooks,
 * beforeSend, envelopes) with crashfree's session engine, event policy,
 * durable queue and next-launch recovery. Created by `createClient`; a client
 * created from invalid options is disabled and every method is a no-op.
 */
export class CrashfreeClient extends Client<ClientOptions> {
  private readonly cf: ResolvedOptions | undefined;
  private readonly durable: DurableTransport | undefined;
  private readonly sessions: (AppSessions & SyncEnds) | undefined;
  private readonly requests: RequestAggregator | undefined;
  private readonly policy: EventPolicy | undefined;
  private readonly logger: Pick<Console, 'log' | 'warn' | 'error'>;
  private resolver: (() => RequestSession | undefined) | undefined;
  private starting: Promise<RecoveryResult> | undefined;
  private closed = false;
  /** Set by the fatal path: recovery still running stops where it is (the next launch redoes it; nothing was let go). */
  private dying = false;
  private readonly accounting: Accounting | undefined;
  private outcomesTimer: unknown;

  /** Use `createClient`, which validates options first. `resolved` undefined makes a disabled client. */
  public constructor(
    resolved: ResolvedOptions | undefined,
    public readonly platform: Platform,
    private readonly deps: CoreDeps,
    private readonly features: CoreFeatures = {},
  ) {
    const holder: { transport?: DurableTransport } = {};
    const logger = platform?.logger ?? console;
    super(sentryClientOptions(resolved, platform, deps, logger, holder));
    this.logger = logger;
    this.cf = resolved?.sentry.enabled === false ? undefined : resolved;
    this.durable = holder.transport;
    if (!this.cf || !this.durable) return;
    const engine = buildEngine({
      cf: this.cf,
      features,
      platform,
      deps,
      durable: this.durable,
      logger,
      dsn: () => this.getDsn(),
      metadata: () => this.getSdkMetadata(),
      captureForRequest: (req, exception, hint) => this.captureForRequest(req, exception, hint),
    });
    this.policy = engine.policy;
    this.sessions = engine.sessions;
    this.requests = engine.requests;
    this.accounting = engine.accounting;
  }

  /** Whether the client runs (valid options, a DSN, not closed). */
  public isEnabled(): boolean {
    return this.cf !== undefined && this._isEnabled();
  }

  /**
   * Recovery of previous runs, then the persisted queue, then (application
   * mode) this run's session. Runs once; later calls return the same result.
   * `sessionEnds` tells recovery how previous sessions ended when the
   * platform knows (see `SessionEnd`). A start still running when `close()`
   * is called opens no session. `options` may be a promise (the platform
   * still reading its crash records): calling `start` at once lets a `close()`
   * made right after init wait for this recovery (bounded by its timeout)
   * instead of skipping it.
   */
  public start(options: StartOptions | PromiseLike<StartOptions> = {}): Promise<RecoveryResult> {
    this.starting ??= Promise.resolve(options).then(
      (o) => this.runStart(o.crashes ?? [], o.sessionEnds ?? []),
      () => this.runStart([], []),
    );
    return this.starting;
  }

  /** Runs next-launch recovery (normally via `start`). */
  public async recover(options: { crashes?: ExternalCrash[]; sessionEnds?: SessionEnd[] } = {}, queued?: QueuedIndex): Promise<RecoveryResult> {
    if (!this.cf || !this.durable) return { crashed: 0, abnormal: 0, events: 0, pending: 0 };
    const durable = this.durable;
    const result = await recover({
      store: this.platform.store,
      liveness: this.platform.liveness,
      extension: crashRecovery(
        createCrashSource(options.crashes ?? [], {
          defaults: { release: this.cf.release, environment: this.cf.environment, platform: this.platform.name },
          beforeSend: (event, hint) => this.applyBeforeSend(event, hint),
          recordDroppedEvent: (reason) => this.recordDroppedEvent(reason, 'error'),
        }),
        endsBySid(options.sessionEnds ?? []),
      ),
      queued: queued ?? (await readQueuedIndex(this.platform.store, this.cf.queue.keyPrefix)),
      enqueue: (env, onDelivered, afterPersisted) => durable.enqueue(env, onDelivered, afterPersisted),
      pending: () => durable.pending(),
      hasQueuedInit: (sid) => durable.hasQueuedInit(sid),
      dsn: this.getDsn(),
      metadata: this.getSdkMetadata(),
      logger: this.logger,
      halted: () => this.dying,
    });
    // Request mode: the counts of killed runs, from their snapshots (request-recovery.ts). In either mode, so switching modes loses nothing.
    await recoverRequestRuns({
      store: this.platform.store,
      liveness: this.platform.liveness,
      queuePrefix: this.cf.queue.keyPrefix ?? 'queue/',
      envelope: (aggregates) => sessionsEnvelope('sessions', aggregates, this.getSdkMetadata()),
      enqueue: (env, afterPersisted) => durable.enqueue(env, undefined, afterPersisted),
      logger: this.logger,
    }).catch((e: unknown) => this.logger.warn(`[crashfree] recovery of request counts failed: ${String(e)}`));
    result.pending = durable.pending();
    return result;
  }

  /** Starts an application-mode session (ending a running one `exited`); after `close()` it does nothing. */
  public startSession(): void {
    if (this.closed) return;
    this.sessions?.start();
    this.accounting?.sessionStarted();
  }

  /**
   * Ends the application-mode session with `status` (default `exited`).
   * `at` (epoch ms) is when it really ended, e.g. when the app went to the
   * background, so that time is not in its duration.
   */
  public endSession(status: Exclude<SessionStatus, 'ok'> = 'exited', at?: number): void {
    this.sessions?.end(status, at);
  }

  /**
   * Persists how the running session ends if this run dies without ending it
   * (undefined clears it): React Native sets `exited` at the time the app
   * went to the background, so an app the OS kills there is not abnormal.
   */
  public setSessionEndHint(hint: SessionEndHint | undefined): void {
    this.sessions?.setPendingEnd(hint);
  }

  /**
   * Ends the session `exited` and persists it synchronously (`store.setSync`): for `process.on('exit')` and page unload.
   * In request mode it persists the request counts the same way (ended ones into the queue, open ones into the snapshot).
   */
  public endSessionSync(status: 'exited' = 'exited'): void {
    this.sessions?.endSync(status);
    // Request mode: the ended requests into the queue and what is still open into the snapshot, synchronously.
    this.requests?.flushSync();
  }

  /** The current application-mode session id. */
  public getSessionId(): string | undefined {
    return this.sessions?.sessionId();
  }

  /** Request mode: starts one request's session (a no-op session in application mode or when disabled). */
  public startRequest(): RequestSession {
    return this.requests?.start() ?? NOOP_REQUEST;
  }

  /** Request mode: tells the client which request a plain `captureException` belongs to (platform async context). */
  public setRequestResolver(resolver: () => RequestSession | undefined): void {
    this.resolver = resolver;
  }

  /** Fatal path: synchronous accounting and crash record, then sending (see API.md). */
  public captureFatalSync(exception: unknown, hint?: EventHint): string | undefined {
    if (!this.cf || !this.durable) return undefined;
    this.dying = true;
    const durable = this.durable;
    const req = this.requests ? this.resolver?.() : undefined;
    // The process is going down: this request ends crashed now, and the buckets are persisted before anything else.
    req?.end('crashed');
    this.requests?.flushSync();
    // A crash before start() still has a session to end crashed (persisted synchronously where the Store can).
    this.ensureSession();
    const sid = this.sessions?.endSync('crashed');
    const fatal = this.features.fatal;
    // Without the fatal part (browsers) the session is already persisted crashed; the event goes the normal way.
    if (!fatal) return this.captureException(exception, { ...hint, mechanism: { type: 'onuncaughtexception', ...hint?.mechanism, handled: false } });
    return fatal({
      exception,
      hint,
      sid,
      client: this,
      platform: this.platform,
      deps: this.deps,
      prepare: (event, h) => this._prepareEvent(event, h, getCurrentScope(), getIsolationScope()),
      beforeSend: (event, h) => this.applyBeforeSend(event, h),
      enqueue: (env, onDelivered) => durable.enqueue(env, onDelivered),
      recordDroppedEvent: (reason) => this.recordDroppedEvent(reason, 'error'),
      logger: this.logger,
    });
  }

  /** Counts the error into the session now (crashed when `hint.mechanism.handled === false`), then sends it through the policy. */
  public override captureException(exception: unknown, hint?: EventHint, scope?: Scope): string {
    if (!this.cf) return '';
    if (isAlreadyCaptured(exception)) return super.captureException(exception, hint, scope);
    const accounted = classifyException(hint);
    this.account(accounted, this.requests ? this.resolver?.() : undefined);
    return super.captureException(exception, { ...hint, [ACCOUNTED]: accounted } as EventHint, scope);
  }

  /** A `fatal` message crashes the session; other messages count nothing. */
  public override captureMessage(message: ParameterizedString, level?: SeverityLevel, hint?: EventHint, scope?: Scope): string {
    if (!this.cf) return '';
    const accounted = classifyMessage(message, level);
    this.account(accounted, this.requests ? this.resolver?.() : undefined);
    return super.captureMessage(message, level, { ...hint, [ACCOUNTED]: accounted } as EventHint, scope);
  }

  /** Counts by the event itself (fatal level or an unhandled mechanism crashes; an exception counts one error). */
  public override captureEvent(event: Event, hint?: EventHint, scope?: Scope): string {
    if (!this.cf) return '';
    if (hint?.originalException && isAlreadyCaptured(hint.originalException)) return super.captureEvent(event, hint, scope);
    const accounted = classifyEvent(event);
    this.account(accounted, this.requests ? this.resolver?.() : undefined);
    return super.captureEvent(event, { ...hint, [ACCOUNTED]: accounted } as EventHint, scope);
  }

  /** Waits for session writes, sends client reports, then flushes the queue (up to `timeout` ms). */
  public override async flush(timeout?: number): Promise<boolean> {
    if (!this.cf) return true;
    await within(this.sessions?.idle(), timeout, this.deps);
    this._flushOutcomes();
    return super.flush(timeout);
  }

  /**
   * Ends the queue's backoff after network errors and sends what waits now,
   * without waiting for the retry timer (the browser calls it on `online`).
   * Rate limits still hold; never rejects. Unlike `flush`, it sends no
   * client reports and does not wait for session writes.
   */
  public retryNow(): Promise<void> {
    return this.durable?.retryNow().catch(() => undefined) ?? Promise.resolve();
  }

  /** Urgent mode while the process or page goes away: queued envelopes leave at once, side by side (see DurableTransport.setUrgent). */
  public setUrgent(on: boolean): void {
    this.durable?.setUrgent(on);
  }

  /** Ends the session `exited`, flushes request aggregates and client reports, waits up to `timeout`, then stops. */
  public override async close(timeout?: number): Promise<boolean> {
    if (!this.cf) return true;
    // From here no start (however late it completes) opens a session; one still running gets `timeout` to finish recovery.
    this.closed = true;
    await within(this.starting, timeout, this.deps);
    this.sessions?.end('exited');
    await this.requests?.close();
    const result = await super.close(timeout);
    if (this.outcomesTimer !== undefined) this.deps.clearTimeout(this.outcomesTimer);
    this.outcomesTimer = undefined;
    this.durable?.dispose();
    return result;
  }

  /**
   * Records a drop for the client report (as @sentry/core) and makes sure the
   * report goes out within `clientReportFlushInterval` (default 60 s) even if
   * the app never flushes: long-running servers would otherwise keep them.
   */
  public override recordDroppedEvent(reason: EventDropReason, category: DataCategory, count?: number): void {
    super.recordDroppedEvent(reason, category, count);
    if (this.outcomesTimer !== undefined || !this.cf) return;
    const interval = (this.getOptions() as { clientReportFlushInterval?: number }).clientReportFlushInterval ?? 60_000;
    this.outcomesTimer = this.deps.setTimeout(() => {
      this.outcomesTimer = undefined;
      if (this._isEnabled()) this._flushOutcomes();
    }, interval);
  }

  /** Delegates to the platform; a platform that throws loses that event, never the app. */
  public eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event> {
    try {
      return this.platform.eventFromException(exception, hint);
    } catch (e) {
      return rejectedSyncPromise(e);
    }
  }

  /** Delegates to the platform, like `eventFromException`. */
  public eventFromMessage(message: ParameterizedString, level?: SeverityLevel, hint?: EventHint): PromiseLike<Event> {
    try {
      return this.platform.eventFromMessage(String(message), level, hint);
    } catch (e) {
      return rejectedSyncPromise(e);
    }
  }

  /** @sentry/core updates sessions after beforeSend and sampling, so a dropped crash would vanish: accounting is ours, at capture time. */
  protected override _updateSessionFromEvent(): void {
    // Intentionally empty.
  }

  /** The event policy (budget, spike guard, sampling) runs here, after accounting and before @sentry/core's pipeline. */
  protected override _captureEvent(event: Event, hint: EventHint = {}, scope?: Scope, isolationScope?: Scope): PromiseLike<string | undefined> {
    if (!this.cf || !this.policy || event.type) return super._captureEvent(event, hint, scope, isolationScope);
    const marked = (hint as MarkedHint)[ACCOUNTED];
    const unhandled = isUnhandledEvent(event);
    // The built event may reveal what the hint did not (a platform setting mechanism.handled = false).
    if (unhandled && marked === 'handled') this.account('unhandled', this.requests ? this.resolver?.() : undefined);
    event.platform = event.platform ?? this.platform.name;
    const drop = this.policy(event, unhandled || marked === 'unhandled');
    if (drop) {
      if (this.cf.debug) this.logger.log(`[crashfree] event ${hint.event_id ?? ''} not sent: ${drop}`);
      this.recordDroppedEvent(drop as EventDropReason, 'error');
      return resolvedSyncPromise(undefined);
    }
    return super._captureEvent(event, hint, scope, isolationScope);
  }

  private async runStart(crashes: ExternalCrash[], sessionEnds: SessionEnd[]): Promise<RecoveryResult> {
    if (!this.cf || !this.durable) return { crashed: 0, abnormal: 0, events: 0, pending: 0 };
    let result: RecoveryResult = { crashed: 0, abnormal: 0, events: 0, pending: 0 };
    try {
      const queued = await readQueuedIndex(this.platform.store, this.cf.queue.keyPrefix);
      await this.durable.load();
      result = await this.recover({ crashes, sessionEnds }, queued);
    } catch (e) {
      this.logger.warn(`[crashfree] recovery of previous runs failed: ${String(e)}`);
    }
    if (this.closed) return result;
    this.ensureSession();
    void this.durable.flush(0).then(undefined, () => undefined);
    return result;
  }

  private account(accounted: Accounted, req: RequestSession | undefined): void {
    if (accounted !== 'none') this.ensureSession();
    this.accounting?.apply(accounted, req);
    // The count is on disk before captureException returns, as its event will be (the queue's appendSync).
    if (accounted === 'handled' && !req) this.sessions?.persistNow();
  }

  /** Application mode: the first session exists from the first capture or the end of start(), whichever comes first. */
  private ensureSession(): void {
    if (this.closed || !this.sessions) return;
    if (this.sessions.ensureStarted()) this.accounting?.sessionStarted();
  }

  private captureForRequest(req: RequestSession, exception: unknown, hint?: EventHint): string {
    const previous = this.resolver;
    this.resolver = () => req;
    try {
      return this.captureException(exception, hint);
    } finally {
      this.resolver = previous;
    }
  }

  private async applyBeforeSend(event: Event, hint: EventHint): Promise<Event | null> {
    const beforeSend = this.getOptions().beforeSend;
    if (!beforeSend) return event;
    try {
      return await beforeSend(event as Parameters<typeof beforeSend>[0], hint);
    } catch (e) {
      this.logger.warn(`[crashfree] beforeSend threw (${String(e)}); the crash event is sent unchanged.`);
      return event;
    }
  }
}

/** How a dead run's session ended: what the platform reported for it, else the end the session itself recorded (`setPendingEnd`). */
function endsBySid(sessionEnds: SessionEnd[]): (state: PersistedSession) => SessionEndHint | undefined {
  const ends = new Map(sessionEnds.map((e) => [e.sid, e]));
  return (state) => ends.get(state.sid) ?? state.pendingEnd;
}

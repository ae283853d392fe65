import type {
  ClientOptions,
  DataCategory,
  Event,
  EventDropReason,
  EventHint,
  EventProcessor,
  Outcome,
  SdkMetadata,
  SessionStatus,
  SeverityLevel,
} from '@sentry/core';
import type { Accounted } from './accounting.js';
import { createAppSessionSteps } from './app-sessions.js';
import { defaultDeps, within, type CoreDeps } from './clock.js';
import { envelopeUrl, parseDsn } from './dsn.js';
import { clientReportEnvelope, eventEnvelope, sessionsEnvelope, textCodec } from './envelope.js';
import { bindLiteClient, getLiteScope } from './lite-api.js';
import { prepareLiteEvent, setupLiteIntegrations } from './lite-event.js';
import { releaseWarning, samplingWarning, validateLiteOptions, type ResolvedOptions } from './options.js';
import { createEventPolicy, isUnhandledEvent, type EventPolicy } from './policy.js';
import type { LiteIntegration } from './lite-opt-in.js';
import { recover, type RecoveryResult } from './recovery.js';
import { makeTransportWith, type LiteTransport } from './transport.js';
import type { LiteClient } from './lite-types.js';
import type { Platform } from './types.js';
import { uuid4 } from './uuid.js';

export type { LiteClient } from './lite-types.js';

const NO_RECOVERY: RecoveryResult = { crashed: 0, abnormal: 0, events: 0, pending: 0 };
const CAPTURED = '__sentry_captured__';

/**
 * Validates `options` (`validateLiteOptions`: the rules and messages of
 * `createClient` for every option the lite client reads; request mode
 * refused), builds a `LiteClient` and binds it as the lite API's client
 * (`captureException`, `setUser`, `flush` from this entry). Never throws:
 * invalid options log one `console.error` naming each option, its value and
 * what is expected, and give a disabled client.
 */
export function createLiteClient(options: unknown, platform: Platform, deps: Partial<CoreDeps> = {}): LiteClient {
  const logger = platform?.logger ?? console;
  const { problems, options: resolved, warnings } = validateLiteOptions(options);
  let cf: ResolvedOptions | undefined;
  if (problems.length > 0 || !resolved) {
    logger.error(`[crashfree] init: ${problems.join('; ')}. crashfree is disabled.`);
  } else if (resolved.sentry.enabled !== false) {
    for (const warning of [...(warnings ?? []), releaseWarning(resolved.release), samplingWarning(options as Record<string, unknown>)]) if (warning) logger.warn(warning);
    if (resolved.dsn === undefined) logger.warn('[crashfree] no "dsn" option: crashfree is disabled.');
    else cf = resolved;
  }
  const client = buildLiteClient(cf, platform, { ...defaultDeps(), ...deps }, logger);
  bindLiteClient(client);
  if (cf) client.setup(cf.integrations);
  return client;
}

function buildLiteClient(cf: ResolvedOptions | undefined, platform: Platform, deps: CoreDeps, logger: Pick<Console, 'log' | 'warn' | 'error'>) {
  const { sdk } = platform;
  const metadata: SdkMetadata = { sdk };
  // crashfree's own options too: the opt-in integrations read theirs here.
  const clientOptions = { integrations: [], ...cf?.sentry, ...cf } as unknown as ClientOptions;
  const dsn = cf?.dsn === undefined ? undefined : parseDsn(cf.dsn);
  const outcomes = new Map<string, Outcome>();
  const hooks: Record<string, Set<(...args: unknown[]) => void>> = {};
  let processors: EventProcessor[] = [];
  let policy: EventPolicy | undefined;
  let userDid: LiteIntegration['userDid'];
  let outcomesTimer: unknown;
  let starting: Promise<RecoveryResult> | undefined;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const enabled = (): boolean => cf !== undefined && dsn !== undefined && !closed;

  const recordDroppedEvent = (reason: EventDropReason, category: DataCategory, count = 1): void => {
    if (!cf || cf.sentry.sendClientReports === false) return;
    const key = `${reason}:${category}`;
    const o = outcomes.get(key) ?? { reason, category, quantity: 0 };
    o.quantity += count;
    outcomes.set(key, o);
    if (outcomesTimer !== undefined) return;
    const interval = (cf.sentry as { clientReportFlushInterval?: number }).clientReportFlushInterval ?? 60_000;
    outcomesTimer = deps.setTimeout(() => {
      outcomesTimer = undefined;
      if (enabled()) flushOutcomes();
    }, interval);
  };

  const durable: LiteTransport | undefined =
    cf && dsn
      ? makeTransportWith(
          { url: envelopeUrl(dsn, cf.sentry.tunnel, sdk), store: platform.store, makeRequest: platform.makeRequest, queue: cf.queue, recordDroppedEvent, deps, logger },
          textCodec,
        )
      : undefined;
  const flushOutcomes = (): void => {
    if (!durable || outcomes.size === 0) return;
    const report = clientReportEnvelope([...outcomes.values()], deps.now() / 1000);
    outcomes.clear();
    void durable.enqueue(report).then(undefined, () => undefined);
  };

  // The session engine's methods (none without a transport); destructured so the page bundle names none of them.
  const [sessionId, sessionStart, ensureStarted, sessionEnd, handledError, crashed, sessionsIdle, sessionDid] =
    cf && durable
      ? createAppSessionSteps({
          store: platform.store,
          deps,
          release: cf.release,
          environment: cf.environment,
          owner: () => platform.liveness.owner(),
          // The session's `did`: the user id, or what `userDid` (hashUserIdIntegration) makes of it.
          did: () => {
            const id = userId();
            return Promise.resolve(id !== undefined && userDid ? userDid(id) : id);
          },
          // A hash is WebCrypto's, never synchronous: with one, the start marker waits for the async write to carry the did.
          didSync: () => (userDid ? undefined : userId()),
          envelope: (item) => sessionsEnvelope('session', item, metadata),
          enqueue: durable.enqueue,
          logger,
        })
      : [];
  /** The current user id, or undefined when none is set. */
  function userId(): string | undefined {
    const id = getLiteScope().user.id;
    return id === undefined || id === null || id === '' ? undefined : String(id);
  }
  /** Counts a capture into the running session; a capture before the first session starts it (a crash in the first tick still counts). */
  const account = (accounted: Accounted): void => {
    if (accounted === 'none' || !ensureStarted || closed) return;
    ensureStarted();
    if (accounted === 'unhandled') crashed!();
    else handledError!();
  };

  /** Policy, scopes and processors, beforeSend, then the durable queue; every drop counted for the client report. */
  const process = async (built: Event, hint: EventHint, accounted: Accounted): Promise<void> => {
    if (!cf || !durable) return;
    const unhandled = isUnhandledEvent(built);
    // The built event may reveal what the hint did not (a builder setting mechanism.handled = false).
    if (unhandled && accounted === 'handled') account('unhandled');
    const fatal = unhandled || accounted === 'unhandled';
    // Only error events come here (the platform builds them; this client has no transactions). The policy's settings
    // are read at the first event, so eventPolicyIntegration (setting them in the options) has set up before.
    policy ??= createEventPolicy({ ...(clientOptions as unknown as ResolvedOptions), ...deps });
    const drop = policy(built, fatal);
    if (drop) {
      if (cf.debug) logger.log(`[crashfree] event ${hint.event_id ?? ''} not sent: ${drop}`);
      return recordDroppedEvent(drop as EventDropReason, 'error');
    }
    const prepared = await prepareLiteEvent(built, hint, getLiteScope(), clientOptions, platform.name, deps.now(), processors);
    if (!prepared) return recordDroppedEvent('event_processor', 'error');
    const beforeSend = cf.sentry.beforeSend as ((e: Event, h: EventHint) => PromiseLike<Event | null> | Event | null) | undefined;
    const final = beforeSend ? await beforeSend(prepared, hint) : prepared;
    if (!final) return recordDroppedEvent('before_send', 'error');
    await durable.enqueue(eventEnvelope(final, metadata));
  };
  const track = (work: Promise<void>): void => {
    const p = work.then(undefined, (e: unknown) => logger.warn(`[crashfree] event not sent: ${String(e)}`));
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };
  const capture = (hint: EventHint | undefined, accounted: Accounted, build: (h: EventHint) => PromiseLike<Event>): string => {
    const h: EventHint = { ...hint, event_id: hint?.event_id ?? uuid4() };
    if (!enabled()) return h.event_id!;
    account(accounted);
    track(Promise.resolve().then(() => build(h)).then((event) => process(event, h, accounted)));
    return h.event_id!;
  };

  const client = {
    isEnabled: enabled,
    setup(integrations: ResolvedOptions['integrations']): void {
      try {
        processors = setupLiteIntegrations(integrations, client);
        for (const i of integrations as LiteIntegration[]) {
          userDid ??= i.userDid?.bind(i);
        }
      } catch (e) {
        logger.warn(`[crashfree] integration setup failed: ${String(e)}`);
      }
    },
    start(): Promise<RecoveryResult> {
      starting ??= runStart();
      return starting;
    },
    startSession(): void {
      if (closed || !sessionStart) return;
      sessionStart();
    },
    endSession: (status: Exclude<SessionStatus, 'ok'> = 'exited', at?: number) => sessionEnd?.(status, at),
    getSessionId: () => sessionId?.(),
    didChanged: () => sessionDid?.(),
    retryNow: () => durable?.retryNow() ?? Promise.resolve(),
    setUrgent: (on: boolean) => durable?.setUrgent(on),
    captureException(exception: unknown, hint?: EventHint): string {
      if (typeof exception === 'object' && exception !== null) {
        if ((exception as Record<string, unknown>)[CAPTURED] === true) return hint?.event_id ?? uuid4();
        try {
          Object.defineProperty(exception, CAPTURED, { value: true, enumerable: false });
        } catch {
          // A frozen object is captured every time; counting still happens once per call.
        }
      }
      // As classifyException, less @sentry/core's own internal errors: no @sentry/core runtime code runs with this client.
      return capture(hint, hint?.mechanism?.handled === false ? 'unhandled' : 'handled', (h) => platform.eventFromException(exception, h));
    },
    captureMessage(message: string, level?: SeverityLevel, hint?: EventHint): string {
      // A fatal message crashes the session; other messages count nothing (no parameterized or non-string messages reach this client).
      return capture(hint, level === 'fatal' ? 'unhandled' : 'none', (h) => platform.eventFromMessage(String(message), level, h));
    },
    recordDroppedEvent,
    async flush(timeout?: number): Promise<boolean> {
      if (!durable) return true;
      await within(Promise.all([sessionsIdle?.(), ...inFlight]), timeout, deps);
      flushOutcomes();
      return durable.flush(timeout);
    },
    async close(timeout?: number): Promise<boolean> {
      if (!durable || closed) return true;
      // From here no capture is taken and no start (however late it completes) opens a session.
      closed = true;
      await within(starting, timeout, deps);
      sessionEnd?.('exited');
      const result = await client.flush(timeout);
      deps.clearTimeout(outcomesTimer);
      outcomesTimer = undefined;
      durable.dispose();
      return result;
    },
    getOptions: () => clientOptions,
    getDsn: () => dsn,
    getSdkMetadata: () => metadata,
    on(hook: string, callback: (...args: unknown[]) => void): () => void {
      const set = (hooks[hook] ??= new Set()).add(callback);
      return () => void set.delete(callback);
    },
    emit(hook: string, ...args: unknown[]): void {
      hooks[hook]?.forEach((fn) => fn(...args));
    },
  };

  async function runStart(): Promise<RecoveryResult> {
    if (!cf || !durable) return NO_RECOVERY;
    let result = NO_RECOVERY;
    try {
      // Before this run's recovery queues anything: what is listed is what earlier runs left.
      const queued = await durable.load();
      result = await recover({
        // The transport's methods (enqueue, pending, hasQueuedInit) are closures with no `this`: passed as they are.
        ...durable,
        store: platform.store,
        liveness: platform.liveness,
        queued,
        dsn,
        metadata,
        logger,
      });
    } catch (e) {
      logger.warn(`[crashfree] recovery failed: ${String(e)}`);
    }
    if (closed) return result;
    ensureStarted?.();
    void durable.flush(0).then(undefined, () => undefined);
    return result;
  }

  return client;
}

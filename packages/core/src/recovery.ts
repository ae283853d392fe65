import type { DsnComponents, Envelope, SdkMetadata } from '@sentry/core';
import { sessionsEnvelope } from './envelope.js';
import { parsePersistedSession, sessionKey, toSessionItem, type PersistedSession } from './session-state.js';
import { updateKey, type QueuedIndex } from './queued-index.js';
import type { Liveness, Store } from './types.js';

/** What `client.start()` / `client.recover()` found and queued. */
export interface RecoveryResult {
  /** Sessions ended `crashed`. */
  crashed: number;
  /** Sessions ended `abnormal` (owner gone, no crash record). */
  abnormal: number;
  /** Crash events recovered (with a session or alone): queued now, or found already queued by the dead run (sent from there, once). */
  events: number;
  /** Envelopes in the durable queue when recovery finished (not yet accepted by the backend). */
  pending: number;
}

/** What recovery needs from its client. */
export interface RecoveryContext {
  store: Store;
  liveness: Liveness;
  /**
   * Crash events of dead runs and how their sessions ended, when the
   * platform knows (`crashRecovery` in crash-recovery.ts). Without it only
   * sessions are recovered, an unended one `abnormal`: a page writes no crash
   * records, so the browser's bundle leaves that code out.
   */
  extension?: RecoveryExtension;
  /**
   * What the persisted queue held before this run's recovery (the queue's
   * `load()` answer, or `readQueuedIndex` read before loading): a session
   * update or crash event listed there is delivered by the queue, never
   * queued a second time.
   */
  queued: QueuedIndex;
  /** The durable queue's enqueue: `afterPersisted` runs once the queue's write landed, and the envelope is not sent before it settles. */
  enqueue: (envelope: Envelope, onDelivered?: () => void, afterPersisted?: () => Promise<void>) => Promise<void>;
  pending: () => number;
  /** Whether the queue holds (or held) an `init: true` update of `sid`: then no other update may carry init. */
  hasQueuedInit: (sid: string) => boolean;
  dsn: DsnComponents | undefined;
  metadata: SdkMetadata | undefined;
  logger: Pick<Console, 'warn'>;
  /**
   * True once this run is dying (its fatal path began): recovery stops before
   * the next session or crash. It must not go on in the fatal path's
   * synchronous mode, where a Store may see less (Node's file store hides
   * claimed dead runs' files then): a crash sent there without its session
   * would leave that session to end `abnormal` next time. Stopped, the next
   * launch redoes what is left, since nothing is let go before delivery.
   */
  halted?: () => boolean;
}

/**
 * What a platform with crash records adds to recovery (see
 * `RecoveryContext.extension`): a tuple of closures, so page bundles, which
 * pass none, carry no names for them.
 */
export type RecoveryExtension = [
  /** Gathers what it knows of the dead runs (not of `liveSessions`); resolves with how many records were unreadable (deleted). */
  collect: (ctx: RecoveryContext, liveSessions: Set<string>) => Promise<number>,
  /** Ends a dead run's session from what it knows (a crash wins, then how the run said it ended); false leaves it to recovery. */
  end: (state: PersistedSession) => boolean,
  /** After the session's update is queued: sends its crash event, if any; resolves with whether one was sent. */
  sendCrashOf: (ctx: RecoveryContext, sid: string) => Promise<boolean>,
  /** After all sessions: sends the crash events left (of no session, or of sessions not recovered); resolves with how many. */
  sendRest: (ctx: RecoveryContext, liveSessions: Set<string>) => Promise<number>,
];

/**
 * Next-launch recovery. Every persisted session whose owner is gone gets
 * exactly one terminal update (`crashed` with its crash event when a crash
 * record or external crash names it, else `abnormal`); crash events without
 * a session are sent alone. Nothing is deleted until the backend accepted it,
 * so an interrupted recovery is redone next time with the same sid, seq and
 * event_id (the backend dedupes).
 */
export async function recover(ctx: RecoveryContext): Promise<RecoveryResult> {
  const result: RecoveryResult = { crashed: 0, abnormal: 0, events: 0, pending: 0 };
  const { store } = ctx;
  let unreadable = 0;

  const liveSessions = new Set<string>();
  const states: PersistedSession[] = [];

  for (const key of await store.keys('session/')) {
    const state = parsePersistedSession(await store.get(key).catch(() => undefined));
    if (!state || key !== sessionKey(state.sid)) {
      unreadable += 1;
      await store.delete(key).catch(() => undefined);
      continue;
    }
    let alive = true;
    try {
      alive = await ctx.liveness.isAlive(state.owner);
    } catch (e) {
      // Unsure means alive: a live session must never be reported abnormal.
      ctx.logger.warn(`[crashfree] liveness check failed (${String(e)}); session ${state.sid} left for later.`);
    }
    if (alive) liveSessions.add(state.sid);
    else states.push(state);
  }

  const [collect, end, sendCrashOf, sendRest] = ctx.extension ?? [];
  if (collect) unreadable += await collect(ctx, liveSessions);

  // What the dead runs (or earlier offline recoveries) already queued is delivered by the queue: never queued twice.
  const { queued } = ctx;

  if (unreadable > 0) ctx.logger.warn(`[crashfree] skipped ${unreadable} unreadable persisted record(s); everything else is still sent.`);

  const halted = (): boolean => ctx.halted?.() === true;
  for (const state of states) {
    if (halted()) break;
    const read = `${state.status}:${state.seq}`;
    // An unended session whose end nobody knows ended abnormal; its timestamp stays the last persisted time.
    if (!end?.(state) && state.status === 'ok') {
      state.status = 'abnormal';
      state.seq += 1;
    }
    if (state.status === 'crashed') result.crashed += 1;
    else if (state.status === 'abnormal') result.abnormal += 1;
    const key = sessionKey(state.sid);
    const save = (): Promise<void> => store.set(key, JSON.stringify(state)).catch(() => undefined);
    // A run killed after queueing its init but before recording it left the init in the queue.
    const init = !state.initQueued && !ctx.hasQueuedInit(state.sid);
    const item = toSessionItem(state, init);
    const forget = (): void => void store.delete(key).catch(() => undefined);
    if (queued.updates.has(updateKey(state.sid, state.seq))) {
      forget();
    } else {
      // The decided end is on disk before it is queued: a recovery killed after the backend took the update,
      // before the record was let go, is redone with the same status and seq (the crash that decided it may be
      // gone by then), and without a second init once the queue's write of this one landed.
      if (`${state.status}:${state.seq}` !== read) await save();
      const recordInit = init
        ? () => {
            state.initQueued = true;
            return save();
          }
        : undefined;
      await ctx.enqueue(sessionsEnvelope('session', item, ctx.metadata), forget, recordInit);
    }
    if (await sendCrashOf?.(ctx, state.sid)) result.events += 1;
  }
  if (sendRest && !halted()) result.events += await sendRest(ctx, liveSessions);
  result.pending = ctx.pending();
  return result;
}

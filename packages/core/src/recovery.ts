import type { DsnComponents, Envelope, SdkMetadata } from '@sentry/core';
import type { CrashSource } from './crash-recovery.js';
import { sessionsEnvelope } from './envelope.js';
import { parsePersistedSession, sessionKey, toSessionItem, type PersistedSession } from './session-state.js';
import { updateKey, type QueuedIndex } from './queued-index.js';
import type { Liveness, SessionEndHint, Store } from './types.js';

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
   * Where crash events of dead runs come from (crash records, external
   * crashes) and how one is queued: `createCrashSource` in crash-recovery.ts.
   * Without it only sessions are recovered (`abnormal`): a page writes no
   * crash records, so the browser's bundle leaves that code out.
   */
  crashSource?: CrashSource;
  /**
   * How a dead run's unended session ended, when known (the platform's
   * `sessionEnds`, the session's own `pendingEnd`); a crash still wins.
   * Without it such a session ends `abnormal` (pages: nothing else is known).
   */
  endOf?: (state: PersistedSession) => SessionEndHint | undefined;
  /**
   * What the persisted queue held before this run's recovery (the queue's
   * `load()` answer, or `readQueuedIndex` read before loading): a session
   * update or crash event listed there is delivered by the queue, never
   * queued a second time.
   */
  queued: QueuedIndex;
  enqueue: (envelope: Envelope, onDelivered?: () => void) => Promise<void>;
  pending: () => number;
  /** Whether the queue holds (or held) an `init: true` update of `sid`: then no other update may carry init. */
  hasQueuedInit: (sid: string) => boolean;
  dsn: DsnComponents | undefined;
  metadata: SdkMetadata | undefined;
  logger: Pick<Console, 'warn'>;
}

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

  const { crashSource } = ctx;
  const found = await crashSource?.collect(ctx, liveSessions);
  unreadable += found?.unreadable ?? 0;

  // What the dead runs (or earlier offline recoveries) already queued is delivered by the queue: never queued twice.
  const { queued } = ctx;

  if (unreadable > 0) ctx.logger.warn(`[crashfree] skipped ${unreadable} unreadable persisted record(s); everything else is still sent.`);

  for (const state of states) {
    const crash = found?.bySid.get(state.sid);
    found?.bySid.delete(state.sid);
    if (state.status === 'ok') {
      const end = crash ? undefined : ctx.endOf?.(state);
      state.status = crash ? 'crashed' : (end?.status ?? 'abnormal');
      if (end?.status === 'abnormal' && end.mechanism !== undefined) state.abnormalMechanism = end.mechanism;
      // Otherwise the timestamp stays the last persisted time, so duration = last seen - started.
      if (end?.at !== undefined) state.timestamp = Math.max(state.started, end.at);
      state.seq += 1;
    } else if (crash && state.status !== 'crashed') {
      state.status = 'crashed';
      state.seq += 1;
    }
    if (state.status === 'crashed') result.crashed += 1;
    else if (state.status === 'abnormal') result.abnormal += 1;
    // A run killed after queueing its init but before recording it left the init in the queue.
    const item = toSessionItem(state, !state.initQueued && !ctx.hasQueuedInit(state.sid));
    const forget = (): void => void store.delete(sessionKey(state.sid)).catch(() => undefined);
    if (queued.updates.has(updateKey(state.sid, state.seq))) forget();
    else await ctx.enqueue(sessionsEnvelope('session', item, ctx.metadata), forget);
    if (crash && (await crashSource!.send(ctx, crash, state.sid, queued))) result.events += 1;
  }
  if (found) result.events += await crashSource!.sendRest(ctx, found, liveSessions, queued);
  result.pending = ctx.pending();
  return result;
}

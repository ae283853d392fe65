import type { DsnComponents, Envelope, Event, EventDropReason, EventHint, SdkMetadata } from '@sentry/core';
import { crashEnvelope } from './envelope.js';
import type { CrashRecord } from './fatal.js';
import { parsePersistedSession, sessionEnvelope, sessionKey, toSessionItem, type PersistedSession } from './session-state.js';
import { stableId } from './stable-id.js';
import { readQueuedIndex, updateKey, type QueuedIndex } from './queued-index.js';
import type { ExternalCrash, Liveness, SessionEnd, Store } from './types.js';

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
  crashes: ExternalCrash[];
  /** What the platform knows about how previous sessions ended (a crash still wins). */
  sessionEnds?: SessionEnd[];
  /**
   * What the persisted queue held before the transport loaded it (read first,
   * so everything listed is in the loaded queue); read here when absent.
   */
  queued?: QueuedIndex;
  /** The queue's key prefix (`queue.keyPrefix`), for reading `queued` when absent. */
  queuePrefix?: string;
  enqueue: (envelope: Envelope, onDelivered?: () => void) => Promise<void>;
  pending: () => number;
  /** Whether the queue holds (or held) an `init: true` update of `sid`: then no other update may carry init. */
  hasQueuedInit: (sid: string) => boolean;
  dsn: DsnComponents | undefined;
  metadata: SdkMetadata | undefined;
  /** Filled into crash events that lack them. */
  defaults: { release?: string; environment: string; platform: string };
  beforeSend: (event: Event, hint: EventHint) => Promise<Event | null>;
  recordDroppedEvent: (reason: EventDropReason) => void;
  logger: Pick<Console, 'warn'>;
}

interface Crash {
  event: Event;
  attachments?: ExternalCrash['attachments'];
  /** Deletes what backs this crash once the backend accepted it. */
  delivered: () => Promise<void>;
}

function parseCrashRecord(value: unknown): CrashRecord | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const r = JSON.parse(value) as Partial<CrashRecord>;
    return r.v === 1 && typeof r.event === 'object' && r.event !== null ? (r as CrashRecord) : undefined;
  } catch {
    return undefined;
  }
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

  const crashes = new Map<string, Crash>();
  const loose: Crash[] = [];
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

  for (const key of await store.keys('crash/')) {
    const record = parseCrashRecord(await store.get(key).catch(() => undefined));
    if (!record) {
      unreadable += 1;
      await store.delete(key).catch(() => undefined);
      continue;
    }
    if (record.sid !== undefined && liveSessions.has(record.sid)) continue;
    const crash: Crash = { event: record.event, delivered: () => store.delete(key).catch(() => undefined) };
    if (record.sid !== undefined) crashes.set(record.sid, crash);
    else loose.push(crash);
  }

  for (const external of ctx.crashes) {
    const crash: Crash = {
      event: external.event,
      ...(external.attachments && { attachments: external.attachments }),
      delivered: async () => {
        try {
          await external.onDelivered?.();
        } catch (e) {
          ctx.logger.warn(`[crashfree] onDelivered of a recovered crash failed: ${String(e)}`);
        }
      },
    };
    const own = external.sid !== undefined ? crashes.get(external.sid) : undefined;
    if (external.sid !== undefined && !own) crashes.set(external.sid, crash);
    else if (own) {
      // Both a JS crash record and an external (native) crash for one session: the native one carries the minidump.
      const previous = own.delivered;
      crashes.set(external.sid!, { ...crash, delivered: async () => (await previous(), await crash.delivered()) });
    } else loose.push(crash);
  }

  // What the dead runs (or earlier offline recoveries) already queued is delivered by the queue: never queued twice.
  const queued = ctx.queued ?? (await readQueuedIndex(store, ctx.queuePrefix));
  const ends = new Map((ctx.sessionEnds ?? []).map((e) => [e.sid, e]));

  if (unreadable > 0) ctx.logger.warn(`[crashfree] skipped ${unreadable} unreadable persisted record(s); everything else is still sent.`);

  for (const state of states) {
    const crash = crashes.get(state.sid);
    crashes.delete(state.sid);
    if (state.status === 'ok') {
      const end = crash ? undefined : (ends.get(state.sid) ?? state.pendingEnd);
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
    else await ctx.enqueue(sessionEnvelope(item, ctx.dsn, ctx.metadata), forget);
    if (crash) {
      if (await sendCrash(ctx, crash, state.sid, queued)) result.events += 1;
    }
  }
  for (const [sid, crash] of crashes) if (!liveSessions.has(sid) && (await sendCrash(ctx, crash, sid, queued))) result.events += 1;
  for (const crash of loose) if (await sendCrash(ctx, crash, undefined, queued)) result.events += 1;
  result.pending = ctx.pending();
  return result;
}

/** Queues one crash event unless the queue already holds it (then its backing is let go now); false when beforeSend dropped it. */
async function sendCrash(ctx: RecoveryContext, crash: Crash, sid: string | undefined, queued: QueuedIndex): Promise<boolean> {
  const event: Event = { ...crash.event };
  // Stable across launches so a resend is deduped by the backend.
  event.event_id = event.event_id ?? stableId(`crash:${sid ?? JSON.stringify(crash.event).slice(0, 2000)}`);
  if (queued.events.has(event.event_id)) {
    await crash.delivered();
    return true;
  }
  event.level = event.level ?? 'fatal';
  event.platform = event.platform ?? ctx.defaults.platform;
  event.environment = event.environment ?? ctx.defaults.environment;
  if (event.release === undefined && ctx.defaults.release !== undefined) event.release = ctx.defaults.release;
  event.timestamp = event.timestamp ?? Date.now() / 1000;
  const final = await ctx.beforeSend(event, { event_id: event.event_id, ...(crash.attachments && { attachments: crash.attachments }) });
  if (final === null) {
    ctx.recordDroppedEvent('before_send');
    await crash.delivered();
    return false;
  }
  await ctx.enqueue(crashEnvelope(final, crash.attachments, ctx.dsn, ctx.metadata), () => void crash.delivered());
  return true;
}

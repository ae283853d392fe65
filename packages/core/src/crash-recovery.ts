import type { Event, EventDropReason, EventHint } from '@sentry/core';
import { crashEnvelope } from './envelope-bytes.js';
import type { CrashRecord } from './fatal.js';
import type { QueuedIndex } from './queued-index.js';
import type { RecoveryContext, RecoveryExtension } from './recovery.js';
import type { PersistedSession } from './session-state.js';
import { stableId } from './stable-id.js';
import type { ExternalCrash, SessionEndHint } from './types.js';

/** One crash event of a dead run, as recovery sends it. */
export interface FoundCrash {
  event: Event;
  attachments?: ExternalCrash['attachments'];
  /** Deletes what backs this crash once the backend accepted it. */
  delivered: () => Promise<void>;
}

/** The crash half of next-launch recovery (see `crashRecovery`). */
export interface CrashSource {
  /**
   * Reads the crash records under `crash/` and adds the external crashes:
   * by session id, and those without one (`loose`). Records of live sessions
   * are left for later; unreadable ones are deleted and counted (recovery
   * warns once for everything unreadable).
   */
  collect(ctx: RecoveryContext, liveSessions: Set<string>): Promise<{ bySid: Map<string, FoundCrash>; loose: FoundCrash[]; unreadable: number }>;
  /** Queues one crash event unless the queue already holds it (then its backing is let go now); false when beforeSend dropped it. */
  send(ctx: RecoveryContext, crash: FoundCrash, sid: string | undefined, queued: QueuedIndex): Promise<boolean>;
  /**
   * After the sessions: sends the crashes `found` still holds (of sessions
   * not live, and those without a session); resolves with how many were sent.
   */
  sendRest(ctx: RecoveryContext, found: { bySid: Map<string, FoundCrash>; loose: FoundCrash[] }, liveSessions: Set<string>, queued: QueuedIndex): Promise<number>;
}

/** What sending a crash event needs besides the recovery context: the client's event defaults, beforeSend and drop counting. */
export interface CrashSendOptions {
  /** Filled into crash events that lack them. */
  defaults: { release?: string; environment: string; platform: string };
  /** The client's beforeSend; never rejects (a throwing one leaves the event unchanged). */
  beforeSend: (event: Event, hint: EventHint) => Promise<Event | null>;
  recordDroppedEvent: (reason: EventDropReason) => void;
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
 * Crash recovery for platforms with a fatal path (Node, React Native): the
 * JS crash records the dying run wrote, and `external` crashes the platform
 * found (native crash records with minidumps, V8 fatal-error reports). A
 * session with both gets the external one (it carries the minidump) and
 * both are let go once it is delivered.
 */
export function createCrashSource(external: ExternalCrash[], opts: CrashSendOptions): CrashSource {
  return {
    async collect(ctx, liveSessions) {
      const { store } = ctx;
      const bySid = new Map<string, FoundCrash>();
      const loose: FoundCrash[] = [];
      let unreadable = 0;
      for (const key of await store.keys('crash/')) {
        const record = parseCrashRecord(await store.get(key).catch(() => undefined));
        if (!record) {
          unreadable += 1;
          await store.delete(key).catch(() => undefined);
          continue;
        }
        if (record.sid !== undefined && liveSessions.has(record.sid)) continue;
        const crash: FoundCrash = { event: record.event, delivered: () => store.delete(key).catch(() => undefined) };
        if (record.sid !== undefined) bySid.set(record.sid, crash);
        else loose.push(crash);
      }
      for (const ext of external) {
        const crash: FoundCrash = {
          event: ext.event,
          ...(ext.attachments && { attachments: ext.attachments }),
          delivered: async () => {
            try {
              await ext.onDelivered?.();
            } catch (e) {
              ctx.logger.warn(`[crashfree] onDelivered of a recovered crash failed: ${String(e)}`);
            }
          },
        };
        const own = ext.sid !== undefined ? bySid.get(ext.sid) : undefined;
        if (ext.sid !== undefined && !own) bySid.set(ext.sid, crash);
        else if (own) {
          // Both a JS crash record and an external (native) crash for one session: the native one carries the minidump.
          const previous = own.delivered;
          bySid.set(ext.sid!, { ...crash, delivered: async () => (await previous(), await crash.delivered()) });
        } else loose.push(crash);
      }
      return { bySid, loose, unreadable };
    },

    async send(ctx, crash, sid, queued) {
      const event: Event = { ...crash.event };
      // Stable across launches so a resend is deduped by the backend.
      event.event_id = event.event_id ?? stableId(`crash:${sid ?? JSON.stringify(crash.event).slice(0, 2000)}`);
      if (queued.events.has(event.event_id)) {
        await crash.delivered();
        return true;
      }
      event.level = event.level ?? 'fatal';
      event.platform = event.platform ?? opts.defaults.platform;
      event.environment = event.environment ?? opts.defaults.environment;
      if (event.release === undefined && opts.defaults.release !== undefined) event.release = opts.defaults.release;
      event.timestamp = event.timestamp ?? Date.now() / 1000;
      const final = await opts.beforeSend(event, { event_id: event.event_id, ...(crash.attachments && { attachments: crash.attachments }) });
      if (final === null) {
        opts.recordDroppedEvent('before_send');
        await crash.delivered();
        return false;
      }
      await ctx.enqueue(crashEnvelope(final, crash.attachments, ctx.dsn, ctx.metadata), () => void crash.delivered());
      return true;
    },

    async sendRest(ctx, found, liveSessions, queued) {
      let sent = 0;
      for (const [sid, crash] of found.bySid) if (!liveSessions.has(sid) && (await this.send(ctx, crash, sid, queued))) sent += 1;
      for (const crash of found.loose) if (await this.send(ctx, crash, undefined, queued)) sent += 1;
      return sent;
    },
  };
}

/**
 * Recovery's extension for platforms with a fatal path: crash events from
 * `source`, and `endOf` (how a dead run's unended session ended, when known:
 * the platform's `sessionEnds`, the session's own `pendingEnd`). A session
 * with a crash event ends `crashed` (even one persisted as ended), else as
 * `endOf` says; a session nothing is known of is left to recovery (`abnormal`).
 */
export function crashRecovery(source: CrashSource, endOf: (state: PersistedSession) => SessionEndHint | undefined): RecoveryExtension {
  let found: { bySid: Map<string, FoundCrash>; loose: FoundCrash[] } = { bySid: new Map(), loose: [] };
  // The crash of each session recovery has ended, sent after its update.
  const ofSession = new Map<string, FoundCrash>();
  return [
    // collect
    async (ctx, liveSessions) => {
      const { unreadable, ...rest } = await source.collect(ctx, liveSessions);
      found = rest;
      return unreadable;
    },
    // end
    (state) => {
      const crash = found.bySid.get(state.sid);
      found.bySid.delete(state.sid);
      if (crash) ofSession.set(state.sid, crash);
      if (state.status === 'ok') {
        const end = crash ? undefined : endOf(state);
        if (!crash && !end) return false;
        state.status = crash ? 'crashed' : end!.status;
        if (end?.status === 'abnormal' && end.mechanism !== undefined) state.abnormalMechanism = end.mechanism;
        // Otherwise the timestamp stays the last persisted time, so duration = last seen - started.
        if (end?.at !== undefined) state.timestamp = Math.max(state.started, end.at);
        state.seq += 1;
      } else if (crash && state.status !== 'crashed') {
        state.status = 'crashed';
        state.seq += 1;
      }
      return true;
    },
    // sendCrashOf
    async (ctx, sid) => {
      const crash = ofSession.get(sid);
      return crash !== undefined && source.send(ctx, crash, sid, ctx.queued);
    },
    // sendRest
    (ctx, liveSessions) => source.sendRest(ctx, found, liveSessions, ctx.queued),
  ];
}

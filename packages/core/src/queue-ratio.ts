import type { DataCategory, Envelope, EventDropReason } from '@sentry/core';
import type { CoreDeps } from './clock.js';
import type { EnvelopeCodec } from './envelope.js';
import { clientReportEnvelope } from './envelope.js';
import { byteLength } from './envelope-info.js';
import { mergeClientReports } from './client-report.js';
import type { QueueEntry as Entry, QueueIndex } from './queue-index.js';
import type { SendGate } from './send-gate.js';
import type { Store } from './types.js';

/** One application-mode session update, as it waits in the queue (the payload of a lone `session` item). */
export type QueuedUpdate = { sid: string; seq?: number; init?: boolean } & Record<string, unknown>;

/**
 * What the durable queue hands its extension (`makeQueue(opts, codec,
 * ratioQueue)`), as a tuple so page bundles, which never extend the queue,
 * carry no names for it.
 */
export type TransportInternals = [
  entries: QueueIndex[0],
  insert: QueueIndex[1],
  mergeTarget: QueueIndex[4],
  /** The entry whose request is running: never merged into. */
  inFlight: () => Entry | undefined,
  codec: EnvelopeCodec,
  store: Store,
  backingOff: SendGate[1],
  limitedUntil: SendGate[0],
  /** Entries urgent mode is sending: never merged into. */
  urgentSending: Set<Entry>,
  /** A new entry for `envelope` (not indexed). */
  entryOf: (envelope: Envelope, onDelivered?: () => void) => Entry,
  /** Persists an entry's body (at once where the Store has `appendSync`); never rejects. */
  write: (entry: Entry) => Promise<void>,
  /** Deletes an entry's body; never rejects. */
  forget: (entry: Entry) => Promise<void>,
  now: CoreDeps['now'],
];

/** The hooks the queue calls (see `ratioQueue`), a tuple like `TransportInternals`. */
export type QueueExtension = [
  /** The waiting entry `envelope` merged into, if it did (the caller persists it): a session's update waits while the queue is held (backoff, rate limit) or when an earlier run left it. */
  merge: (envelope: Envelope, onDelivered?: () => void) => Entry | undefined,
  /** A new entry was indexed. */
  added: (entry: Entry, envelope: Envelope) => void,
  /** An entry left the index (delivered, dropped). */
  removed: (entry: Entry) => void,
  /** Counts the drop of `entry` (already removed) and deletes it. */
  drop: (entry: Entry, reason: EventDropReason) => void,
  /** A persisted entry was read at load; false when it was merged away (deleted). */
  loaded: (entry: Entry, envelope: Envelope, body: Entry['body']) => boolean,
  /** All of them: what stays queued. */
  loadedAll: (entries: Entry[]) => Entry[],
];

/** The envelope header where a persisted client report lists the queue keys whose drop it already counts. */
export const DROPPED_KEYS = 'crashfree_dropped';

/** The update when `envelope` is exactly one session update (what the session engine and recovery queue), else undefined. */
export function sessionUpdateOf(envelope: Envelope): QueuedUpdate | undefined {
  const items = envelope[1];
  const [header, payload] = (items.length === 1 && items[0]) || [];
  const p = payload as Partial<QueuedUpdate> | undefined;
  return header?.type === 'session' && typeof p?.sid === 'string' ? (p as QueuedUpdate) : undefined;
}

/** One update standing for two waiting updates of one session (neither an init): the newer (higher `seq`) as it is. */
export function mergeUpdates(a: QueuedUpdate, b: QueuedUpdate): QueuedUpdate {
  const newer = (b.seq ?? 0) >= (a.seq ?? 0) ? b : a;
  return { ...newer, init: a.init === true || b.init === true };
}

/**
 * The full client's queue rules. (1) At most one waiting state per session
 * besides its init: an update of a session whose later update waits (the
 * queue is held by a backoff after a failed try or by a rate limit, or an
 * earlier run left it) merges into it (`mergeUpdates`); an init is never
 * merged into (a resend of it must stay the same update, which the backend
 * dedupes), nor is an update being sent, and online each update leaves as it
 * comes. (2) A drop is counted exactly once, across
 * restarts too: it goes into the pending client report, which is written,
 * listing the dropped key (`DROPPED_KEYS`), before the dropped entry is
 * deleted; a launch that finds a listed entry still there deletes it without
 * counting it again.
 */
export function ratioQueue([entries, insert, mergeTarget, inFlight, codec, store, backingOff, limitedUntil, urgentSending, entryOf, write, forget, now]: TransportInternals): QueueExtension {
  /** The waiting update of each session. */
  const bySid = new Map<string, Entry>();
  /** At load: dropped keys a loaded report already counts, with that report's list. */
  const listed = new Map<string, string[]>();

  const withUpdate = (pending: Entry, envelope: Envelope, update: QueuedUpdate): void => {
    pending.update = mergeUpdates(pending.update!, update);
    pending.body = codec.serialize([envelope[0], [[envelope[1][0]![0], pending.update]]] as Envelope);
    pending.bytes = byteLength(pending.body);
  };

  /** The drop of `key` is done (its entry deleted): the report need not list it any more. */
  const unlist = (victims: string[], key: string): void => {
    const at = victims.indexOf(key);
    if (at >= 0) victims.splice(at, 1);
  };

  return [
    (envelope, onDelivered) => {
      const update = sessionUpdateOf(envelope);
      const pending = update && bySid.get(update.sid);
      // Never into an init: it may have reached the backend already (a lost answer, a run that died before deleting it), and
      // a resend must stay the same update, which the backend dedupes; a merged one would be a second init.
      if (!update || !pending?.update || pending.update.init === true || pending.body === undefined || pending === inFlight() || urgentSending.has(pending) || !entries().has(pending.key)) return undefined;
      if (!pending.waited && !backingOff() && !(limitedUntil(pending.categories) > 0)) return undefined;
      withUpdate(pending, envelope, update);
      const before = pending.onDelivered;
      pending.onDelivered = () => {
        before?.();
        onDelivered?.();
      };
      return pending;
    },
    (entry, envelope) => {
      const update = sessionUpdateOf(envelope);
      if (update) bySid.set(update.sid, Object.assign(entry, { update }));
    },
    (entry) => {
      if (entry.update && bySid.get(entry.update.sid) === entry) bySid.delete(entry.update.sid);
    },
    (entry, reason) => {
      const counts = new Map<DataCategory, number>();
      for (const category of entry.categories) counts.set(category, (counts.get(category) ?? 0) + 1);
      const report = clientReportEnvelope([...counts].map(([category, quantity]) => ({ reason, category, quantity })), now() / 1000);
      let target = mergeTarget();
      if (!target) insert((target = { ...entryOf(report), body: undefined, report: true }));
      const victims = (target.victims ??= []);
      victims.push(entry.key);
      const merged = target.body === undefined ? report : mergeClientReports(codec.parse(target.body), report);
      target.body = codec.serialize([{ ...merged[0], [DROPPED_KEYS]: victims }, merged[1]] as Envelope);
      target.bytes = byteLength(target.body);
      // The report first, then the delete: a death in between leaves a listed entry, deleted uncounted next launch.
      void write(target).then(() => forget(entry)).then(() => unlist(victims, entry.key));
    },
    (entry, envelope, body) => {
      const update = sessionUpdateOf(envelope);
      const first = update && bySid.get(update.sid);
      if (first && first.update?.init !== true) {
        // Two waiting updates of one session (an update was being sent when the next came, then the run died): one now.
        withUpdate(first, envelope, update);
        void write(first).then(() => forget(entry));
        return false;
      }
      // Left by an earlier run: it waits, so this run's updates of its session merge into it.
      if (update) bySid.set(update.sid, Object.assign(entry, { update, body, waited: true }));
      if (entry.report) {
        const keys = (envelope[0] as Record<string, unknown>)[DROPPED_KEYS];
        entry.victims = Array.isArray(keys) ? keys.filter((x): x is string => typeof x === 'string') : [];
        for (const victim of entry.victims) listed.set(victim, entry.victims);
      }
      return true;
    },
    (entries) => {
      // An entry whose drop a report already counts was dropped by a run that died before deleting it: deleted, not counted again.
      const kept = entries.filter((e) => !listed.has(e.key));
      for (const e of entries) {
        const victims = listed.get(e.key);
        if (victims) void store.delete(e.key).then(() => unlist(victims, e.key), () => undefined);
      }
      listed.clear();
      return kept;
    },
  ];
}

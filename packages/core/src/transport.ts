import type { DataCategory, Envelope, EventDropReason, Transport } from '@sentry/core';
import type { EnvelopeCodec } from './envelope.js';
import { uuid4 } from './uuid.js';
import { bytesCodec } from './envelope-bytes.js';
import { within, type CoreDeps } from './clock.js';
import type { QueueOptions } from './options.js';
import { byteLength, categoriesOf, initSessionIds } from './envelope-info.js';
import { isClientReportEnvelope, mergeClientReports } from './client-report.js';
import { createQueueIndex, type QueueEntry as Entry } from './queue-index.js';
import { ratioQueue, type QueueExtension, type TransportInternals } from './queue-ratio.js';
import { emptyQueuedIndex, indexEnvelope, type QueuedIndex } from './queued-index.js';
import { createSendGate, type BackoffOptions } from './send-gate.js';
import type { RequestExecutor, Store, StoreValue, TransportHttpResponse } from './types.js';

/** What `makeDurableTransport` needs: where to send, where to persist, and the bounds. */
export interface DurableTransportOptions {
  url: string;
  store: Store;
  makeRequest: RequestExecutor;
  queue: QueueOptions;
  recordDroppedEvent: (reason: EventDropReason, category: DataCategory, count?: number) => void;
  deps: CoreDeps;
  logger: Pick<Console, 'warn'>;
  /** First retry delay after a network error or 5xx; doubles per failure up to `maxMs`, jittered. */
  backoff?: BackoffOptions;
  /** A request not answered within this is treated as a network error. Default 30 s. */
  requestTimeoutMs?: number;
}

/** The client's transport: @sentry/core's Transport plus persistence hooks the client uses. */
export interface DurableTransport extends Transport {
  /**
   * Persists `envelope` under `queue/`; `onDelivered` runs after the backend
   * answered 2xx for it. `afterPersisted` runs once the queue write is done,
   * and the envelope is not sent before the promise it returns settles: a
   * caller that records "queued" elsewhere (the session's `initQueued`) gets
   * that record written before the backend can have the envelope.
   */
  enqueue(envelope: Envelope, onDelivered?: () => void, afterPersisted?: () => Promise<void>): Promise<void>;
  /** Like `enqueue`, but the write is `store.setSync` when the Store has it: for a process about to die. */
  enqueueSync(envelope: Envelope): void;
  /**
   * Adds envelopes persisted by previous runs to the queue (oldest first);
   * corrupt ones are deleted with one warning. Resolves with the events and
   * session updates it added, for recovery (so the store is read once).
   */
  load(): Promise<QueuedIndex>;
  /**
   * Ends the backoff wait after network errors/5xx and sends what waits now
   * (e.g. on the browser's `online` event). Rate limits (429, `Retry-After`,
   * `X-Sentry-Rate-Limits`) are still honoured: held categories stay held.
   * Resolves when that pass is done.
   */
  retryNow(): Promise<void>;
  /**
   * Urgent mode, for a page or process going away: while on, every sendable
   * entry (not held by a rate limit, not the pending client report) is sent
   * at once, side by side, instead of one after another behind a request
   * still in flight, so the last updates leave within the current task.
   * Entries whose send does not succeed stay queued for the next launch.
   */
  setUrgent(on: boolean): void;
  /**
   * Whether an `init: true` update of session `sid` reached this queue (in this
   * run, or persisted by an earlier one and loaded): recovery then must not
   * send another init, even if the session's own state says otherwise.
   */
  hasQueuedInit(sid: string): boolean;
  /** Envelopes waiting (persisted, not yet accepted). */
  pending(): number;
  /** Stops timers; what is persisted stays for the next run. */
  dispose(): void;
}

/**
 * A transport that never loses an envelope to a crash or an outage: every
 * envelope is written to the Store before it is sent and deleted only after
 * a 2xx. One worker sends oldest first; a network error or 5xx stops the pass
 * and retries after a jittered, capped exponential backoff; 429 and
 * rate-limit headers hold the affected categories (for queued retries too) so
 * no request is made until the limit passes. Bounded by count, bytes and age:
 * the oldest are dropped and reported as `queue_overflow`.
 */
export function makeDurableTransport(opts: DurableTransportOptions): DurableTransport {
  const { store } = opts;
  const append = store.appendSync?.bind(store);
  // Where the Store can append at once (Node's journal), every queue write is done before enqueue's caller goes on: an
  // event is persisted when captureException returns. (Here, not in the queue: page bundles have no such Store.)
  const eager: Store = append
    ? {
        ...store,
        set: (key, value) => {
          try {
            return Promise.resolve(append(key, value));
          } catch (e) {
            return Promise.reject(e);
          }
        },
      }
    : store;
  const [transport, add, persistFailed, kick] = makeQueue({ ...opts, store: eager }, bytesCodec, ratioQueue);
  return {
    ...transport,
    send: async (envelope) => {
      await transport.enqueue(envelope);
      return {};
    },
    enqueueSync(envelope) {
      const entry = add(envelope);
      if (!entry) return;
      try {
        if (store.setSync) store.setSync(entry.key, entry.body!);
        else void store.set(entry.key, entry.body!).catch(persistFailed);
      } catch (e) {
        persistFailed(e);
      }
      kick();
    },
  };
}

/** The durable transport less `send` and `enqueueSync`: what the lite client uses (it queues through `enqueue`). */
export type LiteTransport = Omit<DurableTransport, 'send' | 'enqueueSync'>;

/** `makeDurableTransport` for the lite client, with the envelope codec given: its `textCodec` keeps binary envelope code out of page bundles. */
export function makeTransportWith(opts: DurableTransportOptions, codec: EnvelopeCodec): LiteTransport {
  return makeQueue(opts, codec)[0];
}

/**
 * The queue itself, and the steps `enqueueSync` is made of (a tuple: page
 * bundles, which never call it, carry no names for them): index an
 * envelope, report a failed write, then start sending. `extend` adds the
 * full client's queue rules (queue-ratio.ts: one waiting update per session
 * besides its init, drops counted exactly once across restarts); without it
 * session data still stays outside the bounds, and drops go to
 * `recordDroppedEvent`.
 */
function makeQueue(
  opts: DurableTransportOptions,
  codec: EnvelopeCodec,
  extend?: (k: TransportInternals) => QueueExtension,
): [LiteTransport, add: (envelope: Envelope) => Entry | undefined, persistFailed: (e: unknown) => void, kick: () => void] {
  const { store, deps, queue } = opts;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const PREFIX = queue.keyPrefix ?? 'queue/';
  // Keeps keys of runs sharing a Store (and a millisecond) apart; unique, not secret, so not from the injectable deps.random.
  const runId = uuid4().slice(0, 8);
  /** The entry whose request is running (the index never drops or merges into it). */
  let inFlight: Entry | undefined;
  const [entries, insert, unindex, reset, mergeTarget, enforce] = createQueueIndex(() => inFlight);
  let ext: QueueExtension | undefined;
  const remove = (entry: Entry): void => {
    unindex(entry);
    ext?.[2](entry);
  };
  const initSids = new Set<string>();
  let counter = 0;
  const [limitedUntil, backingOff, retryTime, answered, endBackoff, failed] = createSendGate(deps, opts.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 });
  let timer: unknown;
  let running: Promise<void> | undefined;
  let again = false;
  let disposed = false;
  let urgent = false;
  /** Entries sent by urgent mode right now: the ordinary pass leaves them alone. */
  const urgentSending = new Set<Entry>();
  let ready: Promise<void> = Promise.resolve();

  const mergeInto = (target: Entry, envelope: Envelope): void => {
    target.body = codec.serialize(mergeClientReports(codec.parse(target.body!), envelope));
    target.bytes = byteLength(target.body);
  };

  /** A new entry for `envelope` (not yet indexed). */
  const entryOf = (envelope: Envelope, onDelivered?: () => void): Entry => {
    const body = codec.serialize(envelope);
    const time = deps.now();
    counter += 1;
    const key = `${PREFIX}${String(time).padStart(15, '0')}-${runId}-${String(counter).padStart(8, '0')}`;
    return { key, time, bytes: byteLength(body), categories: categoriesOf(envelope), body, onDelivered };
  };

  const forget = (entry: Entry): Promise<void> => store.delete(entry.key).catch(() => undefined);

  const drop = (entry: Entry, reason: EventDropReason): void => {
    remove(entry);
    if (ext) return ext[3](entry, reason);
    for (const category of entry.categories) opts.recordDroppedEvent(reason, category);
    void forget(entry);
  };

  const enforceBounds = (): void => enforce(queue, deps.now(), (e) => drop(e, 'queue_overflow'));

  const schedule = (at: number): void => {
    if (disposed) return;
    deps.clearTimeout(timer);
    timer = deps.setTimeout(() => {
      timer = undefined;
      void pump();
    }, Math.max(0, at - deps.now()));
  };

  /** The backend's answer, or undefined on a network error or no answer within `requestTimeoutMs`. */
  const request = (body: StoreValue): Promise<TransportHttpResponse | undefined> =>
    within(opts.makeRequest({ url: opts.url, body, headers: { 'content-type': 'application/x-sentry-envelope' } }), requestTimeoutMs, deps);

  /** One pass over the queue, oldest first. */
  const pass = async (): Promise<void> => {
    await ready;
    enforceBounds();
    let heldUntil = Infinity;
    for (const entry of entries().values()) {
      if (disposed) return;
      if (urgentSending.has(entry)) continue;
      const until = limitedUntil(entry.categories);
      if (until > 0) {
        heldUntil = Math.min(heldUntil, until);
        continue;
      }
      if (backingOff()) break;
      if (entry.hold) await entry.hold;
      if (disposed) return;
      // Urgent mode may have taken (or delivered) it while its hold settled.
      if (urgentSending.has(entry) || !entries().has(entry.key)) continue;
      // In flight before its body is read: a report merged after this point would be lost with the 2xx.
      inFlight = entry;
      const body = entry.body ?? (await store.get(entry.key).catch(() => undefined));
      const response = body === undefined ? undefined : await request(body);
      inFlight = undefined;
      if (body === undefined) {
        remove(entry);
        continue;
      }
      if (!response) {
        failed();
        break;
      }
      const status = response.statusCode;
      if (answered(response)) {
        await delivered(entry);
      } else if (status === 429) {
        const until2 = limitedUntil(entry.categories);
        if (until2 > 0) heldUntil = Math.min(heldUntil, until2);
      } else if (status >= 500 || status === 408) {
        failed();
        break;
      } else {
        // 4xx other than 429: the backend refuses this envelope; sending it again cannot help.
        opts.logger.warn(`[crashfree] envelope refused with HTTP ${status}; dropped.`);
        drop(entry, 'send_error');
      }
    }
    // One timer for the earliest of: the end of the backoff, the end of a rate limit.
    const wake = Math.min(heldUntil, retryTime());
    if (wake !== Infinity && entries().size > 0) schedule(wake);
  };

  const delivered = async (entry: Entry): Promise<void> => {
    remove(entry);
    await store.delete(entry.key).catch(() => undefined);
    try {
      entry.onDelivered?.();
    } catch {
      // A delivery callback must never stop the queue.
    }
  };

  /** Urgent mode's send of one entry; on anything but a 2xx it stays queued as it was. */
  const sendUrgently = async (entry: Entry): Promise<void> => {
    urgentSending.add(entry);
    try {
      if (entry.hold) await entry.hold;
      if (entry.body === undefined || !entries().has(entry.key)) return;
      const response = await request(entry.body);
      if (response && answered(response)) await delivered(entry);
    } catch {
      // Offline or torn down with the page: the persisted entry goes out on the next launch.
    } finally {
      urgentSending.delete(entry);
    }
  };

  /** Sends every sendable entry now, in queue order, without waiting for one answer before the next request. */
  const drainUrgently = (): void => {
    if (!urgent || disposed) return;
    for (const entry of entries().values()) {
      if (entry === inFlight || entry.report || urgentSending.has(entry)) continue;
      if (limitedUntil(entry.categories) > 0) continue;
      void sendUrgently(entry);
    }
  };

  /**
   * Runs passes until nobody asked for another one. A call made while a pass
   * runs only sets `again`; the check and the release of `running` happen in
   * one synchronous step, and a request that still slipped in (a pass that
   * threw) is honoured from `finally`, so no wake-up is ever lost and the
   * promise a caller got covers the pass that sends its envelope.
   */
  const pump = (): Promise<void> => {
    if (disposed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await pass();
        } while (again && !disposed);
      } catch (e) {
        opts.logger.warn(`[crashfree] queue: ${String(e)}`);
      } finally {
        running = undefined;
      }
      if (again && !disposed) await pump();
    })();
    return running;
  };

  const add = (envelope: Envelope, onDelivered?: () => void): Entry | undefined => {
    const report = isClientReportEnvelope(envelope);
    const target = report ? mergeTarget() : undefined;
    if (target) {
      mergeInto(target, envelope);
      return target;
    }
    for (const sid of initSessionIds(envelope)) initSids.add(sid);
    const merged = ext?.[0](envelope, onDelivered);
    if (merged) return merged;
    const entry: Entry = { ...entryOf(envelope, onDelivered), ...(report && { report }) };
    insert(entry);
    ext?.[1](entry, envelope);
    enforceBounds();
    return entries().has(entry.key) ? entry : undefined;
  };

  const persistFailed = (e: unknown): void => {
    // Still sent from memory; only durability across a crash is lost.
    opts.logger.warn(`[crashfree] envelope not persisted (${String(e)}); sent from memory.`);
  };

  /** Persists an entry's body (never rejects). */
  const write = (entry: Entry): Promise<void> => store.set(entry.key, entry.body!).catch(persistFailed);

  const enqueue = async (envelope: Envelope, onDelivered?: () => void, afterPersisted?: () => Promise<void>): Promise<void> => {
    const entry = add(envelope, onDelivered);
    if (!entry) return;
    const persisted = write(entry);
    // Set before any await, so a pass already running cannot send the entry ahead of its hold (a merged update keeps the hold it had).
    const held = entry.hold;
    if (afterPersisted) entry.hold = persisted.then(() => held).then(afterPersisted).catch(() => undefined);
    await (entry.hold ?? persisted);
    drainUrgently();
    void pump();
  };

  ext = extend?.([entries, insert, mergeTarget, () => inFlight, codec, store, backingOff, limitedUntil, urgentSending, entryOf, write, forget, deps.now]);

  const load = async (): Promise<QueuedIndex> => {
    const found = emptyQueuedIndex();
    const loading = (async () => {
      const keys = await store.keys(PREFIX);
      const known = new Set(entries().keys());
      let corrupt = 0;
      let loaded: Entry[] = [];
      for (const key of keys) {
        if (known.has(key)) continue;
        const body = await store.get(key).catch(() => undefined);
        // This run's own entry, listed and then delivered (and deleted) while the list was read: gone, not corrupt.
        if (body === undefined && key.includes(`-${runId}-`)) continue;
        const time = Number(key.slice(PREFIX.length).split('-')[0]);
        try {
          if (body === undefined || !Number.isFinite(time)) throw new Error('unreadable');
          const envelope = codec.parse(body);
          for (const sid of initSessionIds(envelope)) initSids.add(sid);
          indexEnvelope(found, envelope);
          const report = isClientReportEnvelope(envelope);
          // A report keeps its body in memory: the newest one is where this run's reports merge (when it has none of its own yet).
          const entry: Entry = { key, time, bytes: byteLength(body), categories: categoriesOf(envelope), ...(report && { body, report }) };
          if (!ext || ext[4](entry, envelope, body)) loaded.push(entry);
        } catch {
          corrupt += 1;
          await store.delete(key).catch(() => undefined);
        }
      }
      if (corrupt > 0) opts.logger.warn(`[crashfree] skipped ${corrupt} unreadable queued envelope(s); everything else is still sent.`);
      if (ext) loaded = ext[5](loaded);
      reset([...loaded, ...entries().values()]);
      enforceBounds();
    })();
    ready = loading.catch(() => undefined);
    await loading;
    return found;
  };

  const transport: LiteTransport = {
    flush: async (timeout?: number) => {
      await within(pump(), timeout, deps);
      return entries().size === 0;
    },
    enqueue,
    load,
    retryNow: () => {
      endBackoff();
      return pump();
    },
    setUrgent: (on) => {
      urgent = on;
      drainUrgently();
    },
    hasQueuedInit: (sid) => initSids.has(sid),
    pending: () => entries().size,
    dispose: () => {
      disposed = true;
      deps.clearTimeout(timer);
    },
  };
  return [
    transport,
    add,
    persistFailed,
    () => {
      drainUrgently();
      void pump();
    },
  ];
}

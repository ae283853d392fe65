import { uuid4, type Client, type Envelope, type Event, type EventDropReason, type EventHint } from '@sentry/core';
import { crashEnvelope } from './envelope-bytes.js';
import type { CoreDeps } from './clock.js';
import type { Platform } from './types.js';

/** What is persisted under `crash/<key>` when a fatal error is about to end the process. */
export interface CrashRecord {
  v: 1;
  sid?: string;
  event: Event;
}

/** Store key of a crash record: the session id when there is one, else the event id. */
export const crashKey = (sidOrEventId: string): string => `crash/${sidOrEventId}`;


/** Runs `thenable` and returns its value only when it settled synchronously (a SyncPromise or resolved thenable). */
function syncValue<T>(thenable: PromiseLike<T> | undefined): T | undefined {
  let value: T | undefined;
  try {
    thenable?.then(
      (v) => {
        value = v;
      },
      () => undefined,
    );
  } catch {
    return undefined;
  }
  return value;
}

/** What the fatal path needs from its client. */
export interface FatalContext {
  exception: unknown;
  hint: EventHint | undefined;
  sid: string | undefined;
  client: Client;
  platform: Platform;
  deps: CoreDeps;
  prepare: (event: Event, hint: EventHint) => PromiseLike<Event | null>;
  beforeSend: (event: Event, hint: EventHint) => Promise<Event | null>;
  enqueue: (envelope: Envelope, onDelivered?: () => void) => Promise<void>;
  recordDroppedEvent: (reason: EventDropReason) => void;
  logger: Pick<Console, 'warn'>;
}

function fallbackEvent(exception: unknown): Event {
  const e = exception instanceof Error ? exception : undefined;
  return {
    exception: { values: [{ type: e?.name ?? 'Error', value: e?.message ?? String(exception), mechanism: { type: 'generic', handled: false } }] },
  };
}

/**
 * The fatal crash path. Synchronously builds the event (the platform's
 * eventFromException must settle synchronously; otherwise a minimal event is
 * built from the error), applies scope data when event processors are
 * synchronous, persists a crash record through `store.setSync` (or starts an
 * async write), then starts delivery. The record is deleted after a 2xx;
 * otherwise the next launch's recovery sends it.
 */
export function captureFatal(ctx: FatalContext): string {
  const options = ctx.client.getOptions();
  const hint: EventHint = { ...ctx.hint, mechanism: { type: 'onuncaughtexception', ...ctx.hint?.mechanism, handled: false } };
  let event: Event = syncValue(safe(() => ctx.platform.eventFromException(ctx.exception, hint))) ?? fallbackEvent(ctx.exception);
  event.level = 'fatal';
  for (const ex of event.exception?.values ?? []) ex.mechanism = { type: hint.mechanism?.type ?? 'generic', ...ex.mechanism, handled: false };
  const eventId = event.event_id ?? hint.event_id ?? uuid4();
  event.event_id = eventId;
  hint.event_id = eventId;
  const prepared = syncValue(safe(() => ctx.prepare(event, hint)));
  if (prepared === null) {
    // An event processor dropped it; the session is still crashed (accounting happened before).
    ctx.recordDroppedEvent('event_processor');
    return eventId;
  }
  event = prepared ?? {
    ...event,
    timestamp: ctx.deps.now() / 1000,
    ...(options.release !== undefined && { release: options.release }),
    environment: options.environment ?? 'production',
  };
  event.platform = event.platform ?? ctx.platform.name;
  const record: CrashRecord = { v: 1, ...(ctx.sid !== undefined && { sid: ctx.sid }), event };
  const key = crashKey(ctx.sid ?? eventId);
  const text = JSON.stringify(record);
  let persisted: Promise<void> = Promise.resolve();
  try {
    if (ctx.platform.store.setSync) ctx.platform.store.setSync(key, text);
    else persisted = ctx.platform.store.set(key, text);
  } catch (e) {
    ctx.logger.warn(`[crashfree] could not persist the crash record: ${String(e)}`);
  }
  void persisted
    .catch(() => undefined)
    .then(() => ctx.beforeSend(event, hint))
    .then((final) => {
      const remove = (): void => void ctx.platform.store.delete(key).catch(() => undefined);
      if (final === null) {
        ctx.recordDroppedEvent('before_send');
        remove();
        return;
      }
      return ctx.enqueue(crashEnvelope(final, hint.attachments, ctx.client.getDsn(), ctx.client.getSdkMetadata()), remove);
    })
    .catch((e: unknown) => ctx.logger.warn(`[crashfree] crash event not queued: ${String(e)}`));
  return eventId;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

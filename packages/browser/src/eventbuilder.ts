import type { Event, EventHint, Exception, Mechanism, SeverityLevel, StackParser } from '@sentry/core';
import { normalize } from '@crashfree/core/lite';

/** The event builders a platform hands to the core (see `Platform` in @crashfree/core). */
export interface EventBuilders {
  eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event>;
  eventFromMessage(message: string, level?: SeverityLevel, hint?: EventHint): PromiseLike<Event>;
}

/** A promise-like that calls back at once: the core's fatal path needs the built event synchronously. */
function now<T>(value: T): PromiseLike<T> {
  return { then: (ok) => (ok ? now(ok(value)) : now(value)) as never };
}

const isError = (v: unknown): v is Error =>
  v instanceof Error || /^\[object (Error|Exception|DOMException)\]$/.test(Object.prototype.toString.call(v));

/** How Sentry names a thrown non-Error object, so issues group the same way as with Sentry's SDKs. */
function describeObject(o: Record<string, unknown>): string {
  if (typeof o.name === 'string') return `'${o.name}' captured as exception${typeof o.message === 'string' ? ` with message '${o.message}'` : ''}`;
  if (typeof o.message === 'string') return o.message;
  const keys = Object.keys(o).sort().join(', ');
  const name = Object.getPrototypeOf(o)?.constructor?.name as string | undefined;
  return `${name && name !== 'Object' ? `'${name}'` : 'Object'} captured as exception with keys: ${keys.length > 40 ? `${keys.slice(0, 40)}...` : keys || '[object has no keys]'}`;
}

/**
 * Builds Sentry events from whatever a page throws: Errors and DOMExceptions
 * keep their type, message and stack; an `ErrorEvent` is unwrapped to its
 * `error`; plain objects and primitives become a synthetic exception (an
 * object's content goes to `extra.__serialized__`). The mechanism from the
 * hint (`hint.mechanism`, e.g. `{ handled: false, type: 'onerror' }`) is set
 * on the event here, because the core counts the session crashed from the
 * built event before any event processor runs. The result resolves
 * synchronously, as the core's fatal path requires.
 */
export function makeEventBuilders(stackParser: StackParser): EventBuilders {
  return {
    eventFromException(exception, hint) {
      const inner = typeof ErrorEvent !== 'undefined' && exception instanceof ErrorEvent ? (exception.error as unknown) : undefined;
      const thrown = inner ?? exception;
      const mechanism: Mechanism = { handled: true, type: 'generic', ...hint?.mechanism };
      const event: Event = { level: 'error', event_id: hint?.event_id };
      let error: Error;
      if (isError(thrown)) error = thrown;
      else {
        mechanism.synthetic = true;
        const plain = typeof thrown === 'object' && thrown !== null;
        if (plain) event.extra = { __serialized__: normalize(thrown, 3) };
        error = { name: 'Error', message: plain ? describeObject(thrown as Record<string, unknown>) : String(thrown), stack: hint?.syntheticException?.stack };
      }
      const value: Exception = { type: error.name || error.constructor?.name || 'Error', value: String(error.message ?? ''), mechanism };
      const frames = stackParser(error.stack || '', 1);
      if (frames.length) value.stacktrace = { frames };
      event.exception = { values: [value] };
      return now(event);
    },
    eventFromMessage(message, level = 'info', hint) {
      return now({ event_id: hint?.event_id, level, message });
    },
  };
}

import type { Event, EventHint, Mechanism, SeverityLevel, StackParser } from '@sentry/core';

/** The event builders a platform hands to the core (see `Platform` in @crashfree/core). */
export interface EventBuilders {
  eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event>;
  eventFromMessage(message: string, level?: SeverityLevel, hint?: EventHint): PromiseLike<Event>;
}

// Errors of another realm (an iframe) fail instanceof, their tag does not.
const isError = (v: unknown): v is Error => v instanceof Error || /^\[object (DOM)?(Error|Exception)\]$/.test(Object.prototype.toString.call(v));

/**
 * How Sentry's SDKs name a thrown non-Error object (its keys, sorted, within
 * 40 characters), so such issues group the same way with both.
 */
const describeObject = (o: object): string =>
  `Object captured as exception with keys: ${Object.keys(o).sort().join(', ').slice(0, 40) || '[object has no keys]'}`;

/**
 * Builds Sentry events from whatever a page throws: Errors and DOMExceptions
 * keep their type, message and stack; an `ErrorEvent` is unwrapped to its
 * `error`; plain objects and primitives become a synthetic exception (an
 * object's content goes to `extra.__serialized__`). The mechanism from the
 * hint (`hint.mechanism`, e.g. `{ handled: false, type: 'onerror' }`) is set
 * on the event here, because the core counts the session crashed from the
 * built event before any event processor runs.
 */
export function makeEventBuilders(stackParser: StackParser): EventBuilders {
  return {
    async eventFromException(exception, hint) {
      // An ErrorEvent (as an `error` listener gets it) stands for the error it carries.
      const thrown = (exception instanceof Event && ((exception as ErrorEvent).error as unknown)) || exception;
      const synthetic = !isError(thrown);
      const plain = synthetic && typeof thrown === 'object' && thrown !== null;
      const error: Partial<Error> = synthetic
        ? { message: plain ? describeObject(thrown) : String(thrown), stack: hint?.syntheticException?.stack }
        : (thrown as Error);
      const frames = stackParser(error.stack || '', 1);
      const mechanism: Mechanism = { handled: true, type: 'generic', ...hint?.mechanism };
      if (synthetic) mechanism.synthetic = true;
      // The core fills in the event id from the hint, and bounds `extra` (depth, breadth, cycles).
      return {
        level: 'error',
        extra: plain ? { __serialized__: thrown } : undefined,
        exception: {
          values: [{ type: error.name || 'Error', value: String(error.message ?? ''), mechanism, stacktrace: frames.length ? { frames } : undefined }],
        },
      };
    },
    async eventFromMessage(message, level = 'info') {
      return { level, message };
    },
  };
}

import {
  eventFromMessage as coreEventFromMessage,
  eventFromUnknownInput,
  getClient,
  resolvedSyncPromise,
  type Event,
  type EventHint,
  type Mechanism,
  type SeverityLevel,
  type StackParser,
} from '@sentry/core';

/** The event builders a platform hands to the core (see `Platform` in @crashfree/core). */
export interface EventBuilders {
  eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event>;
  eventFromMessage(message: string, level?: SeverityLevel, hint?: EventHint): PromiseLike<Event>;
}

/**
 * Builds Sentry events from whatever a page throws: Errors and DOMExceptions
 * keep their stack; an `ErrorEvent` is unwrapped to its `error`; plain
 * objects and primitives become a synthetic exception. The mechanism from the
 * hint (`hint.mechanism`, e.g. `{ handled: false, type: 'onerror' }`) is set on
 * the event here, because the core counts the session crashed from the built
 * event before any event processor runs. The result resolves synchronously,
 * as the core's fatal path requires.
 */
export function makeEventBuilders(stackParser: StackParser): EventBuilders {
  return {
    eventFromException(exception, hint) {
      const inner = typeof ErrorEvent !== 'undefined' && exception instanceof ErrorEvent ? (exception.error as unknown) : undefined;
      const thrown = inner ?? exception;
      const mechanism: Mechanism = { handled: true, type: 'generic', ...hint?.mechanism };
      const event = eventFromUnknownInput(getClient()!, stackParser, thrown, { ...hint, data: { ...hint?.data, mechanism } });
      event.level = 'error';
      return resolvedSyncPromise(event);
    },
    eventFromMessage(message, level = 'info', hint) {
      return resolvedSyncPromise(coreEventFromMessage(stackParser, message, level, hint, getClient()?.getOptions().attachStacktrace));
    },
  };
}

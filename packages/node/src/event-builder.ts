/**
 * Events from thrown values and messages, built synchronously (the core's
 * fatal path needs them before the process dies) with the Node stack parser.
 */
import {
  type Client,
  eventFromMessage as sentryEventFromMessage,
  eventFromUnknownInput,
  getClient,
  resolvedSyncPromise,
  type Event,
  type EventHint,
  type SeverityLevel,
  type StackParser,
} from '@sentry/core';

/** The two event builders of the core's Platform, over one stack parser. */
export function createEventBuilders(stackParser: StackParser): {
  eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event>;
  eventFromMessage(message: string, level?: SeverityLevel, hint?: EventHint): PromiseLike<Event>;
} {
  return {
    eventFromException(exception, hint) {
      // The client is only read for `normalizeDepth` (optional chaining inside), so none is fine.
      const event = eventFromUnknownInput(getClient() as Client, stackParser, exception, hint);
      event.level = event.level ?? 'error';
      return resolvedSyncPromise(event);
    },
    eventFromMessage(message, level = 'info', hint) {
      return resolvedSyncPromise(sentryEventFromMessage(stackParser, message, level, hint, true));
    },
  };
}

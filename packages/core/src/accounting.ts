import type { Event, EventHint, ParameterizedString, SeverityLevel } from '@sentry/core';
import type { AppSessions } from './app-sessions.js';
import { isUnhandledEvent } from './policy.js';
import type { RequestSession } from './request-sessions.js';

/** What one capture does to the session: ends it crashed, counts a handled error, or nothing. */
export type Accounted = 'handled' | 'unhandled' | 'none';

/** Hint key carrying the capture-time decision, so the built event is not counted twice. */
export const ACCOUNTED = '__crashfreeAccounted';

/** A hint that carries the capture-time decision. */
export type MarkedHint = EventHint & { [ACCOUNTED]?: Accounted };

/** `captureException`: unhandled when the hint's mechanism says so; @sentry/core's own internal errors count nothing. */
export function classifyException(hint: EventHint | undefined): Accounted {
  if ((hint?.data as { __sentry__?: boolean } | undefined)?.__sentry__) return 'none';
  return hint?.mechanism?.handled === false ? 'unhandled' : 'handled';
}

/** `captureMessage`: a fatal message crashes; a plain message is no error; a non-string "message" is an exception. */
export function classifyMessage(message: ParameterizedString, level: SeverityLevel | undefined): Accounted {
  if (level === 'fatal') return 'unhandled';
  const isTemplate = typeof message === 'object' && message !== null && '__sentry_template_string__' in message;
  return typeof message === 'object' && message !== null && !isTemplate ? 'handled' : 'none';
}

/** `captureEvent`: from the event itself; transactions and other typed events count nothing. */
export function classifyEvent(event: Event): Accounted {
  if (event.type) return 'none';
  if (isUnhandledEvent(event)) return 'unhandled';
  return event.exception ? 'handled' : 'none';
}

/**
 * Applies capture-time decisions to the session they belong to: the request
 * (request mode) or the application session. Captures made before the first
 * application session exists are remembered and applied to it.
 */
export class Accounting {
  private early: { handled: number; crashed: boolean } | undefined = { handled: 0, crashed: false };

  public constructor(
    private readonly sessions: AppSessions | undefined,
    private readonly requestMode: boolean,
  ) {}

  /** Records one capture's effect, synchronously. */
  public apply(accounted: Accounted, req: RequestSession | undefined): void {
    if (accounted === 'none') return;
    if (this.requestMode) {
      if (accounted === 'unhandled') req?.markCrashed();
      else req?.markErrored();
      return;
    }
    if (!this.sessions) return;
    if (this.early && !this.sessions.sessionId()) {
      if (accounted === 'unhandled') this.early.crashed = true;
      else this.early.handled += 1;
      return;
    }
    if (accounted === 'unhandled') this.sessions.crashed();
    else this.sessions.handledError();
  }

  /** Called once the first application session runs: applies what was captured before it. */
  public sessionStarted(): void {
    const early = this.early;
    this.early = undefined;
    if (!early || !this.sessions) return;
    for (let i = 0; i < early.handled; i++) this.sessions.handledError();
    if (early.crashed) this.sessions.crashed();
  }
}

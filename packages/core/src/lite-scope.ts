import type { Breadcrumb, Context, Event, EventProcessor, Primitive, ScopeContext, SeverityLevel, User } from '@sentry/core';

/**
 * The data a page attaches to its events (the part of @sentry/core's Scope a
 * page uses, without its runtime code): user, tags, extra, contexts, level,
 * fingerprint, breadcrumbs and event processors. One per page
 * (`getLiteScope()`); a plain record, so the functions that write it
 * (`setUser`, `setTag`, ... of the lite API) are each bundled only when a
 * page calls them. Maps are replaced, never mutated, when written.
 */
export interface LiteScope {
  /** `{}` when no user is set. */
  user: User;
  tags: Record<string, Primitive>;
  extra: Record<string, unknown>;
  contexts: Record<string, Context>;
  /** A level every event gets (overrides the event's own). */
  level?: SeverityLevel;
  /** A fingerprint appended to every event's own. */
  fingerprint: string[];
  /** Oldest first; the lite API keeps the newest `maxBreadcrumbs`. */
  breadcrumbs: Breadcrumb[];
  /** Run on every event after the scope data is applied; one may return null to drop the event. */
  processors: EventProcessor[];
}

/** The keys that make a second argument of `captureException` a capture context rather than an event hint (as @sentry/core decides). */
export const CAPTURE_CONTEXT_KEYS = ['user', 'level', 'extra', 'contexts', 'tags', 'fingerprint', 'propagationContext'];

/** Creates an empty scope. */
export const createLiteScope = (): LiteScope => ({ user: {}, tags: {}, extra: {}, contexts: {}, fingerprint: [], breadcrumbs: [], processors: [] });

/**
 * Fills `event` with `scope`'s data, then with `context` (the capture's own
 * `captureException(e, { tags, extra, ... })`, for this event only; as
 * scope.update(captureContext) does: maps merged, user/level/fingerprint
 * replaced when set). The event's own values win over the scope's, as in
 * Sentry's SDKs; fingerprints and breadcrumbs are appended.
 */
export function applyLiteScope(scope: LiteScope, event: Event, context: Partial<ScopeContext> = {}): Event {
  const e = event as Record<string, unknown>;
  const user = context.user && Object.keys(context.user).length ? context.user : scope.user;
  for (const [key, value] of [['user', user], ['tags', { ...scope.tags, ...context.tags }], ['extra', { ...scope.extra, ...context.extra }], ['contexts', { ...scope.contexts, ...context.contexts }]] as const) {
    if (Object.keys(value).length) e[key] = { ...value, ...(e[key] as object | undefined) };
  }
  const level = context.level ?? scope.level;
  if (level) event.level = level;
  const fingerprint = [...(event.fingerprint ?? []), ...(context.fingerprint?.length ? context.fingerprint : scope.fingerprint)];
  if (fingerprint.length) event.fingerprint = fingerprint;
  const breadcrumbs = [...(event.breadcrumbs ?? []), ...scope.breadcrumbs];
  if (breadcrumbs.length) event.breadcrumbs = breadcrumbs;
  return event;
}

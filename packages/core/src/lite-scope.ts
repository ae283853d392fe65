import type { Breadcrumb, Context, Event, EventProcessor, Primitive, ScopeContext, SeverityLevel, User } from '@sentry/core';

/**
 * The data a page attaches to its events (the part of @sentry/core's Scope a
 * page uses, without its runtime code): user, tags, extra, contexts, level,
 * fingerprint, breadcrumbs and event processors. One per page; the lite API
 * (`setUser`, `setTag`, ...) writes it, the lite client applies it.
 */
export interface LiteScope {
  setUser(user: User | null): void;
  getUser(): User | undefined;
  setTag(key: string, value: Primitive): void;
  setTags(tags: Record<string, Primitive>): void;
  setExtra(key: string, value: unknown): void;
  setExtras(extras: Record<string, unknown>): void;
  /** Sets (or with null removes) one named context such as `app` or `device`. */
  setContext(name: string, context: Context | null): void;
  /** A level every event gets (overrides the event's own). */
  setLevel(level: SeverityLevel): void;
  /** A fingerprint appended to every event's own. */
  setFingerprint(fingerprint: string[]): void;
  /** Records a breadcrumb (timestamped now when it has no time), keeping the newest `max`. */
  addBreadcrumb(breadcrumb: Breadcrumb, max?: number): void;
  clearBreadcrumbs(): void;
  /** A processor run on every event after the scope data is applied; it may return null to drop the event. */
  addEventProcessor(processor: EventProcessor): void;
  /**
   * Fills `event` with this scope's data, then with `context` (the capture's
   * own `captureException(e, { tags, extra, ... })`, for this event only).
   * The event's own values win over the scope's, as in Sentry's SDKs.
   */
  applyTo(event: Event, context?: Partial<ScopeContext>): Event;
  /** The processors added with `addEventProcessor`, in order. */
  processors(): EventProcessor[];
}

type Data = { user: User; tags: Record<string, Primitive>; extra: Record<string, unknown>; contexts: Record<string, Context>; level?: SeverityLevel; fingerprint: string[] };

/** The keys that make a second argument of `captureException` a capture context rather than an event hint (as @sentry/core decides). */
export const CAPTURE_CONTEXT_KEYS = ['user', 'level', 'extra', 'contexts', 'tags', 'fingerprint', 'propagationContext'];

/** Creates an empty scope. */
export function createLiteScope(): LiteScope {
  let d: Data = { user: {}, tags: {}, extra: {}, contexts: {}, fingerprint: [] };
  let crumbs: Breadcrumb[] = [];
  const procs: EventProcessor[] = [];

  /** `base` with `over` on top, as scope.update(captureContext) does: maps merged, user/level/fingerprint replaced when set. */
  const merged = (base: Data, over: Partial<ScopeContext>): Data => ({
    user: over.user && Object.keys(over.user).length ? over.user : base.user,
    tags: { ...base.tags, ...over.tags },
    extra: { ...base.extra, ...over.extra },
    contexts: { ...base.contexts, ...over.contexts } as Record<string, Context>,
    level: over.level ?? base.level,
    fingerprint: over.fingerprint?.length ? over.fingerprint : base.fingerprint,
  });
  const fill = <K extends 'user' | 'tags' | 'extra' | 'contexts'>(event: Event, key: K, value: Data[K]): void => {
    if (Object.keys(value).length) (event as Record<string, unknown>)[key] = { ...value, ...(event[key] as object | undefined) };
  };

  return {
    setUser: (user) => void (d.user = user ?? {}),
    getUser: () => (Object.keys(d.user).length ? d.user : undefined),
    setTag: (key, value) => void (d.tags = { ...d.tags, [key]: value }),
    setTags: (tags) => void (d.tags = { ...d.tags, ...tags }),
    setExtra: (key, value) => void (d.extra = { ...d.extra, [key]: value }),
    setExtras: (extras) => void (d.extra = { ...d.extra, ...extras }),
    setContext(name, context) {
      const { [name]: _, ...rest } = d.contexts;
      d.contexts = context === null ? rest : { ...rest, [name]: context };
    },
    setLevel: (level) => void (d.level = level),
    setFingerprint: (fingerprint) => void (d.fingerprint = fingerprint),
    addBreadcrumb(breadcrumb, max = 100) {
      if (max <= 0) return;
      crumbs = [...crumbs, { timestamp: Date.now() / 1000, ...breadcrumb }].slice(-max);
    },
    clearBreadcrumbs: () => void (crumbs = []),
    addEventProcessor: (processor) => void procs.push(processor),
    applyTo(event, context) {
      const data = context ? merged(d, context) : d;
      fill(event, 'user', data.user);
      fill(event, 'tags', data.tags);
      fill(event, 'extra', data.extra);
      fill(event, 'contexts', data.contexts);
      if (data.level) event.level = data.level;
      const fingerprint = [...(event.fingerprint ?? []), ...data.fingerprint];
      if (fingerprint.length) event.fingerprint = fingerprint;
      const breadcrumbs = [...(event.breadcrumbs ?? []), ...crumbs];
      if (breadcrumbs.length) event.breadcrumbs = breadcrumbs;
      return event;
    },
    processors: () => procs,
  };
}

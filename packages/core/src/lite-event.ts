import type { Event, EventHint, EventProcessor, Integration, ScopeContext } from '@sentry/core';
import { applyLiteScope, type LiteScope } from './lite-scope.js';
import { normalize } from './normalize.js';
import { uuid4 } from './uuid.js';

/**
 * The options the lite client fills into every event besides the scope's
 * data: `release`, `environment`, `dist`, and how deep and wide `extra`,
 * `contexts`, `user` and breadcrumb data are kept (`normalizeDepth` 3,
 * `normalizeMaxBreadth` 1000 by default, as @sentry/core).
 */
export interface LiteEventOptions {
  release?: string;
  environment?: string;
  dist?: string;
  normalizeDepth?: number;
  normalizeMaxBreadth?: number;
}

/**
 * The part of Sentry's event preparation a page needs: ids and time,
 * release/environment/platform, the scope's data (user, tags, extra, contexts,
 * breadcrumbs, fingerprint, level), the capture's own context
 * (`hint.captureContext`, this event only), the scope's event processors,
 * then `extra` processors (integrations' `processEvent`). Resolves null when
 * a processor dropped it. A processor that throws loses this event, never
 * the page.
 */
export async function prepareLiteEvent(
  event: Event,
  hint: EventHint,
  scope: LiteScope,
  options: LiteEventOptions,
  platform: string,
  now: number,
  extra: EventProcessor[],
): Promise<Event | null> {
  const { release, environment, dist, normalizeDepth = 3, normalizeMaxBreadth = 1000 } = options;
  const prepared: Event = {
    // Set only when known: an event must not carry `release: undefined` keys.
    ...(release !== undefined && { release }),
    ...(dist !== undefined && { dist }),
    environment,
    ...event,
    event_id: event.event_id ?? hint.event_id ?? uuid4(),
    timestamp: event.timestamp ?? now / 1000,
    platform: event.platform ?? platform,
    // `sdk` is filled in with the envelope (eventEnvelope), as Sentry's SDKs do: beforeSend does not see it.
  };
  const context = typeof hint.captureContext === 'object' ? (hint.captureContext as Partial<ScopeContext>) : undefined;
  let current: Event | null = applyLiteScope(scope, prepared, context);
  for (const processor of [...scope.processors, ...extra]) {
    if (current === null) break;
    current = await processor(current, hint);
  }
  return current && normalizeFields(current, normalizeDepth, normalizeMaxBreadth);
}

/** The fields user code fills with arbitrary objects, bounded (and made cycle-free) as Sentry's clients do. */
function normalizeFields(event: Event, depth: number, breadth: number): Event {
  const n = <T>(v: T): T => normalize(v, depth, breadth) as T;
  if (event.extra) event.extra = n(event.extra);
  if (event.contexts) event.contexts = n(event.contexts);
  if (event.user) event.user = n(event.user);
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map((b) => (b.data ? { ...b, data: n(b.data) } : b));
  return event;
}

/** An integration's hooks as the lite client calls them. */
interface LiteHooks<C> {
  setup?(client: C): void;
  preprocessEvent?(event: Event, hint: EventHint, client: C): void;
  processEvent?(event: Event, hint: EventHint, client: C): Event | null | PromiseLike<Event | null>;
  afterAllSetup?(client: C): void;
}

/** The integration hooks the lite client runs: `setupOnce`, `setup`, `preprocessEvent`/`processEvent` (as processors), `afterAllSetup`. */
export function setupLiteIntegrations<C>(integrations: Integration[], client: C): EventProcessor[] {
  const processors: EventProcessor[] = [];
  const seen = new Set<string>();
  const unique = integrations.filter((i) => !seen.has(i.name) && seen.add(i.name));
  for (const integration of unique) {
    integration.setupOnce?.();
    // Sentry's hooks typed for this client (its Client type is not ours).
    const i = integration as unknown as LiteHooks<C>;
    i.setup?.(client);
    if (i.preprocessEvent) processors.push((e, h) => (i.preprocessEvent!(e, h, client), e));
    if (i.processEvent) processors.push((e, h) => i.processEvent!(e, h, client));
  }
  for (const integration of unique) (integration as unknown as LiteHooks<C>).afterAllSetup?.(client);
  return processors;
}

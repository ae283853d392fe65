import { getCurrentScope, getGlobalScope, getIsolationScope, type DsnComponents, type EventHint, type SdkMetadata, type SessionAggregates } from '@sentry/core';
import { sessionsEnvelope } from './envelope.js';
import { Accounting } from './accounting.js';
import { createAppSessionsWith, type AppSessions } from './app-sessions.js';
import { syncEnds, type SyncEnds } from './session-sync-ends.js';
import type { CoreDeps } from './clock.js';
import { createDidResolver } from './did.js';
import type { CoreFeatures } from './features.js';
import type { ResolvedOptions } from './options.js';
import { createEventPolicy, type EventPolicy } from './policy.js';
import type { RequestAggregator, RequestSession } from './request-sessions.js';
import type { DurableTransport } from './transport.js';
import type { Platform } from './types.js';

/** What an enabled client runs on besides @sentry/core: its session engine (one mode), event policy and accounting. */
export interface Engine {
  policy: EventPolicy;
  sessions: (AppSessions & SyncEnds) | undefined;
  requests: RequestAggregator | undefined;
  accounting: Accounting;
}

/** The client pieces the engine is wired to. */
export interface EngineContext {
  cf: ResolvedOptions;
  features: CoreFeatures;
  platform: Platform;
  deps: CoreDeps;
  durable: DurableTransport;
  logger: Pick<Console, 'warn'>;
  dsn: () => DsnComponents | undefined;
  metadata: () => SdkMetadata | undefined;
  captureForRequest: (req: RequestSession, exception: unknown, hint?: EventHint) => string;
}

/** Builds the engine for the resolved options: application sessions or request aggregates, never both. */
export function buildEngine(ctx: EngineContext): Engine {
  const { cf, platform, deps, durable } = ctx;
  const policy = createEventPolicy({ ...cf, now: deps.now, random: deps.random });
  let sessions: (AppSessions & SyncEnds) | undefined;
  let requests: RequestAggregator | undefined;
  if (cf.sessionMode === 'application' || !ctx.features.requestMode) {
    const did = createDidResolver(cf.hashUserId, ctx.features.sha256HexSync, ctx.logger, scopesUserId);
    sessions = createAppSessionsWith({
      store: platform.store,
      deps,
      release: cf.release,
      environment: cf.environment,
      owner: () => platform.liveness.owner(),
      did: () => did.get(),
      didSync: () => did.getSync(),
      envelope: (item) => sessionsEnvelope('session', item, ctx.metadata()),
      enqueue: (env, onDelivered, afterPersisted) => durable.enqueue(env, onDelivered, afterPersisted),
      logger: ctx.logger,
    }, syncEnds);
    // setUser on any scope gives the running session its did at once, written synchronously (app-sessions.ts).
    const running = sessions;
    for (const scope of [getCurrentScope(), getIsolationScope(), getGlobalScope()]) scope.addScopeListener(() => running.didChanged());
  } else {
    requests = ctx.features.requestMode({
      deps,
      release: cf.release,
      environment: cf.environment,
      intervalMs: cf.aggregateFlushIntervalMs,
      envelope: (agg: SessionAggregates) => sessionsEnvelope('sessions', agg, ctx.metadata()),
      enqueue: (env, afterPersisted) => durable.enqueue(env, undefined, afterPersisted),
      enqueueSync: (env) => durable.enqueueSync(env),
      capture: ctx.captureForRequest,
      // Snapshots of the running buckets, recovered by the next launch after a kill (request-sessions.ts).
      store: platform.store,
      owner: () => platform.liveness.owner(),
      logger: ctx.logger,
    });
  }
  return { policy, sessions, requests, accounting: new Accounting(sessions, requests !== undefined) };
}

/** The user id set on @sentry/core's scopes (current, then isolation, then global), for the session `did`. */
function scopesUserId(): unknown {
  return getCurrentScope().getUser()?.id ?? getIsolationScope().getUser()?.id ?? getGlobalScope().getUser()?.id;
}

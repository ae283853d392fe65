import { createStackParser, type ClientOptions } from '@sentry/core';
import type { CoreDeps } from './clock.js';
import type { ResolvedOptions } from './options.js';
import { makeDurableTransport, type DurableTransport } from './transport.js';
import type { Platform } from './types.js';

/**
 * The options handed to @sentry/core's Client for crashfree's resolved
 * options: our durable transport (reported back through `holder`, since the
 * Client constructor creates it), client reports on, and no `sampleRate`
 * because crashfree's EventPolicy samples and @sentry/core must not sample a
 * second time. `resolved` undefined gives a client that sends nothing.
 */
export function sentryClientOptions(
  resolved: ResolvedOptions | undefined,
  platform: Platform,
  deps: CoreDeps,
  logger: Pick<Console, 'warn'>,
  holder: { transport?: DurableTransport },
): ClientOptions {
  return {
    ...(resolved?.sentry ?? {}),
    dsn: resolved?.dsn,
    release: resolved?.release,
    environment: resolved?.environment,
    integrations: resolved?.integrations ?? [],
    enabled: resolved !== undefined && resolved.sentry.enabled !== false,
    sendClientReports: resolved?.sentry.sendClientReports ?? true,
    sampleRate: undefined,
    stackParser: createStackParser(),
    _metadata: { sdk: { name: platform?.sdk?.name ?? 'crashfree', version: platform?.sdk?.version ?? '0.0.0' } },
    transport: (t) => {
      holder.transport = makeDurableTransport({
        url: t.url,
        store: platform.store,
        makeRequest: platform.makeRequest,
        queue: resolved!.queue,
        recordDroppedEvent: t.recordDroppedEvent,
        deps,
        logger,
      });
      return holder.transport;
    },
  } as ClientOptions;
}

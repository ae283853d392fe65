import type { Platform } from '@crashfree/core';
import { createLiteClient, createMemoryStore, uuid4, validateLiteOptions, type CrashfreeOptions, type LiteClient } from '@crashfree/core/lite';
import type { Integration } from '@sentry/core';
import { makeEventBuilders } from './eventbuilder.js';
import { globalHandlersIntegration } from './global-handlers.js';
import { installLifecycle } from './lifecycle.js';
import { createLiveness } from './liveness.js';
import { splitBrowserOptions, type BrowserOnlyOptions } from './options.js';
import { makeBrowserRequest } from './request.js';
import { browserStackParser } from './stack-parser.js';
import { createBrowserStore } from './store.js';
import { adoptOrphanQueues, scopeQueueToTab } from './tab-queue.js';

declare const __CRASHFREE_VERSION__: string;

/** Options of `init`: the core's options plus the browser's own. */
export type BrowserOptions = CrashfreeOptions & BrowserOnlyOptions;

/**
 * The integrations `init` installs unless `integrations` is a function that
 * drops them. Only the global handlers: an error object captured twice is
 * already sent once (the lite client marks it), and the core's fingerprint
 * budget and spike guard bound repeats, so `dedupeIntegration` from
 * @sentry/core is left for users who want it (it costs ~400 bytes gzipped).
 */
export function getDefaultIntegrations(): Integration[] {
  return [globalHandlersIntegration()];
}

/**
 * Starts crashfree in the page: one session per page load, persisted in
 * IndexedDB and guarded by a Web Lock, recovery of sessions left by dead tabs,
 * uncaught errors reported as crashes, and the session ended `exited` when the
 * page goes away. Never throws: a wrong option logs one `console.error` naming
 * it and returns a disabled client; a broken IndexedDB degrades to memory.
 */
export function init(options: BrowserOptions): LiteClient {
  const logger = console;
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    logger.warn('[crashfree] no page (window, document) here; use @crashfree/node on servers. crashfree is disabled.');
    return createLiteClient({ enabled: false }, disabledPlatform(silent));
  }
  try {
    return start(options, logger);
  } catch (e) {
    // Nothing above should throw; if it does, the page must not pay for it.
    logger.error('[crashfree] init failed; crashfree is disabled:', e);
    return createLiteClient({ enabled: false }, disabledPlatform(silent));
  }
}

function start(options: BrowserOptions, logger: Console): LiteClient {
  if (options === null || typeof options !== 'object') return createLiteClient(options, disabledPlatform(logger));
  const split = splitBrowserOptions(options as Record<string, unknown>);
  const { browser, problems } = split;
  const core = split.core as CrashfreeOptions;
  if (problems.length > 0) {
    // One message for every bad option, the core's included, as createClient would print it.
    const all = [...validateLiteOptions(core).problems, ...problems];
    logger.error(`[crashfree] init: ${all.join('; ')}. crashfree is disabled.`);
    return createLiteClient({ enabled: false }, disabledPlatform(silent));
  }

  let unloading = false;
  const runId = uuid4();
  const shared = createBrowserStore({ dbName: browser.dbName, logger });
  const store = scopeQueueToTab(shared, runId);
  const liveness = createLiveness({ runId, store: shared, heartbeatMs: browser.heartbeatMs });
  const user = core.integrations;
  // The lite client (no @sentry/core runtime code, no fatal process path, no crash records, no request mode): only what a page runs is bundled.
  const client = createLiteClient(
    {
      ...core,
      integrations: typeof user === 'function' ? user(getDefaultIntegrations()) : [...getDefaultIntegrations(), ...(user ?? [])],
    },
    {
      name: 'javascript',
      sdk: { name: 'crashfree.javascript.browser', version: __CRASHFREE_VERSION__ },
      store,
      liveness,
      makeRequest: makeBrowserRequest({ isUnloading: () => unloading }),
      ...makeEventBuilders(browserStackParser()),
      logger,
    },
  );
  if (!client.isEnabled()) return client;

  installLifecycle({
    client,
    store,
    liveness,
    newSessionOnNavigation: browser.newSessionOnNavigation === true,
    setUnloading: (u) => (unloading = u),
  });
  // The lock is held before anything is persisted: no other tab may ever see this page's session as dead.
  liveness
    .hold()
    .then(() => adoptOrphanQueues(shared, runId, async (run) => !(await liveness.isAlive(liveness.markerFor(run)))))
    .then(() => client.start())
    .catch((e: unknown) => logger.warn('[crashfree] start failed; sessions of this page may be lost:', e));
  return client;
}

const silent = { log() {}, warn() {}, error() {} };

/** What a disabled client is built with: nothing that touches storage, locks or the network. */
function disabledPlatform(logger: Platform['logger']): Platform {
  return {
    logger,
    name: 'javascript',
    sdk: { name: 'crashfree.javascript.browser', version: __CRASHFREE_VERSION__ },
    store: createMemoryStore(),
    liveness: { owner: () => ({}), isAlive: () => Promise.resolve(true) },
    makeRequest: () => Promise.reject(new Error('crashfree is disabled')),
    ...makeEventBuilders(browserStackParser()),
  };
}

import { createLiteClient, uuid4, validateLiteOptions, type CrashfreeOptions, type LiteClient, type Platform } from '@crashfree/core/lite';
import type { Integration } from '@sentry/core';
import { makeEventBuilders } from './eventbuilder.js';
import { globalHandlersIntegration } from './global-handlers.js';
import { installLifecycle } from './lifecycle.js';
import { createLiveness } from './liveness.js';
import { BROWSER_OPTION_RULES, type BrowserOnlyOptions } from './options.js';
import { makeBrowserRequest } from './request.js';
import { browserStackParser } from './stack-parser.js';
import { createBrowserStore } from './store.js';
import { adoptOrphanQueues, tabQueuePrefix } from './tab-queue.js';

declare const __CRASHFREE_VERSION__: string;

/** Options of `init`: the core's options plus the browser's own. */
export type BrowserOptions = CrashfreeOptions & BrowserOnlyOptions;

/**
 * The integrations `init` installs unless `integrations` is a function that
 * drops them. Only the global handlers: an error object captured twice is
 * already sent once (the lite client marks it). The core's event policy
 * (per-fingerprint budget 20, spike guard 60/min, then `sampleRate`) is not an
 * integration: it is always on, tuned by the init options `fingerprintBudget`
 * and `spikeLimitPerMinute` (or `eventPolicyIntegration()`). Left for pages
 * that want them: `hashUserIdIntegration()` and `navigationSessionsIntegration()`.
 */
export function getDefaultIntegrations(): Integration[] {
  return [globalHandlersIntegration()];
}

/** The SDK identity in envelope headers and `event.sdk` (a function: the build defines the version, and tests import the source). */
const sdk = (): Platform['sdk'] => ({ name: 'crashfree.javascript.browser', version: __CRASHFREE_VERSION__ });

/** A client disabled from the start: the core only reads a disabled client's identity, so nothing here touches storage, locks or the network. */
const disabled = (): LiteClient => createLiteClient({ enabled: false }, { name: 'javascript', sdk: sdk() } as Platform);

/**
 * Starts crashfree in the page: one session per page load, persisted in
 * IndexedDB and guarded by a Web Lock, recovery of sessions left by dead tabs,
 * uncaught errors reported as crashes, and the session ended `exited` when the
 * page goes away. Never throws: a wrong option logs one `console.error` naming
 * it and returns a disabled client; a broken IndexedDB degrades to memory.
 */
export function init(options: BrowserOptions): LiteClient {
  try {
    if (typeof document === 'undefined') {
      console.warn('[crashfree] no document: use @crashfree/node on servers. crashfree is disabled.');
      return disabled();
    }
    return start(options);
  } catch (e) {
    // Nothing in start should throw; if something does, the page must not pay for it.
    console.error('[crashfree] init failed; crashfree is disabled:', e);
    return disabled();
  }
}

function start(options: BrowserOptions): LiteClient {
  // Checked before anything is opened; one message for every bad option, as createLiteClient would print it.
  const { problems } = validateLiteOptions(options, BROWSER_OPTION_RULES);
  if (problems.length > 0) {
    console.error(`[crashfree] init: ${problems.join('; ')}. crashfree is disabled.`);
    return disabled();
  }

  let unloading = false;
  const runId = uuid4();
  const store = createBrowserStore({ dbName: options.dbName });
  const liveness = createLiveness({ runId, store, heartbeatMs: options.heartbeatMs });
  const user = options.integrations;
  // The lite client (no @sentry/core runtime code, no fatal process path, no crash records, no request mode): only what a page runs is bundled.
  // The browser's own options stay here: the core would call them unknown.
  const { dbName: _db, heartbeatMs: _hb, ...coreOptions } = options;
  const client = createLiteClient(
    {
      ...coreOptions,
      // Validated above: undefined or an object.
      queue: { ...options.queue, keyPrefix: tabQueuePrefix(runId) },
      integrations: typeof user === 'function' ? user(getDefaultIntegrations()) : [...getDefaultIntegrations(), ...(user ?? [])],
    },
    {
      name: 'javascript',
      sdk: sdk(),
      store,
      liveness,
      makeRequest: makeBrowserRequest({ isUnloading: () => unloading }),
      ...makeEventBuilders(browserStackParser()),
    },
  );
  if (!client.isEnabled()) return client;

  installLifecycle(client, store, (u) => (unloading = u));
  // The lock is requested first, synchronously, so it reaches the browser's lock manager before the
  // start marker below reaches another tab (through localStorage); that tab then finds the lock taken.
  const held = liveness.hold();
  // The run counts from here: the session's start marker is in localStorage before init returns (a tab
  // killed in the next instant is recovered by the next load); recovery of earlier runs follows.
  client.startSession();
  held
    .then(() => adoptOrphanQueues(store, runId, async (run) => !(await liveness.isAlive({ run }))))
    .then(() => client.start())
    .catch((e: unknown) => console.warn('[crashfree] start failed; sessions may be lost:', e));
  return client;
}

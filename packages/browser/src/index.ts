/**
 * @crashfree/browser — release-health sessions for web pages: one session per
 * page load persisted in IndexedDB, tabs that died detected on the next load
 * through Web Locks, and envelopes that wait offline until they can be sent.
 */
export { init, getDefaultIntegrations, type BrowserOptions } from './sdk.js';
export { addBreadcrumb, captureException, captureMessage, close, flush, setContext, setExtra, setTag, setTags, setUser } from '@crashfree/core/lite';
export { globalHandlersIntegration } from './global-handlers.js';
export { navigationSessionsIntegration } from './navigation-sessions.js';
export { createBrowserStore, type BrowserStore, type BrowserStoreOptions } from './store.js';
export { createMemoryStore, eventPolicyIntegration, hashUserIdIntegration } from '@crashfree/core/lite';
export { createLiveness, type BrowserLiveness, type LivenessOptions } from './liveness.js';
export { makeBrowserRequest, type BrowserRequestOptions } from './request.js';
export { browserStackParser } from './stack-parser.js';

/**
 * @crashfree/core/lite — the crashfree client without @sentry/core's runtime
 * code (its types only), for size-bound bundles (see `createLiteClient`):
 * the client, its scope and the functions a page calls. Importing this entry
 * never pulls `client.ts` nor @sentry/core's Client or Scope.
 */
export { createLiteClient, type LiteClient } from './lite-client.js';
export { eventPolicyIntegration, hashUserIdIntegration, type LiteIntegration } from './lite-opt-in.js';
export { addBreadcrumb, captureException, captureMessage, close, flush, getLiteClient, getLiteScope, setContext, setExtra, setTag, setTags, setUser } from './lite-api.js';
export { applyLiteScope, type LiteScope } from './lite-scope.js';
export { byteLength } from './envelope-info.js';
export { normalize } from './normalize.js';
export { uuid4 } from './uuid.js';
export { createMemoryStore } from './memory-store.js';
export { describeValue, validateLiteOptions, type CrashfreeOptions, type OptionRule } from './options.js';
export type { RecoveryResult } from './recovery.js';
export type { Platform, Store, Liveness } from './types.js';

/**
 * @crashfree/core/lite — the crashfree client without @sentry/core's Client
 * class, for size-bound bundles (see `createLiteClient`). Importing this entry
 * never pulls `client.ts`.
 */
export { createLiteClient, type LiteClient } from './lite-client.js';
export { createMemoryStore } from './memory-store.js';
export { validateOptions, type CrashfreeOptions } from './options.js';
export type { RecoveryResult } from './recovery.js';
export type { Platform, Store, Liveness } from './types.js';

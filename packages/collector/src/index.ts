/**
 * @crashfree/collector — a local Sentry-compatible ingest server for the
 * demo, the tests and development. See README.md for the routes.
 */
export { startCollector, DEFAULT_PROJECT_ID, type Collector } from './server.js';
export { defaultDataDir, type CollectorOptions } from './options.js';
export type { RateLimitSimulation } from './rate-limit.js';
export type { ItemFilter } from './storage/storage.js';
export type { StoredItem, ReleaseApiContext } from './release-api.js';

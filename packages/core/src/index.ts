/**
 * @crashfree/core — the platform-free engine. See API.md for the contract.
 */
export type {
  ExternalCrash,
  Liveness,
  OwnerMarker,
  Platform,
  RequestExecutor,
  SessionEnd,
  SessionEndHint,
  Store,
  StoreValue,
  TransportHttpRequest,
  TransportHttpResponse,
} from './types.js';
export { createClient, createClientWith } from './create-client.js';
export { ALL_FEATURES, type CoreFeatures } from './features.js';
export { CrashfreeClient } from './client.js';
export { validateOptions, releaseWarning, type CrashfreeOptions, type QueueOptions, type ResolvedOptions, type ValidationResult } from './options.js';
export { createMemoryStore } from './memory-store.js';
export { makeDurableTransport, type DurableTransport, type DurableTransportOptions } from './transport.js';
export { createEventPolicy, type EventPolicy, isUnhandledEvent, type PolicyDrop, type PolicyOptions } from './policy.js';
export { fingerprintOf, nativeFingerprint, FINGERPRINT_VERSION, type FingerprintEvent, type FingerprintFrame, type NativeFingerprintFrame } from './fingerprint.js';
export type { RecoveryResult } from './recovery.js';
export type { RequestSession, RequestStatus } from './request-sessions.js';
export type { CoreDeps } from './clock.js';
export { sha256Hex, sha256HexSync } from './sha256.js';
export type { SessionItem } from './session-state.js';

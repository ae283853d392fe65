/**
 * @crashfree/core — the platform-free engine. See API.md for the contract.
 */
export type {
  ExternalCrash,
  Liveness,
  OwnerMarker,
  Platform,
  RequestExecutor,
  Store,
  StoreValue,
  TransportHttpRequest,
  TransportHttpResponse,
} from './types.js';

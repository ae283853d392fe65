/**
 * @crashfree/react-native — release health and crash capture for React
 * Native apps: app-state sessions, fatal JS errors persisted before the app
 * dies and sent on the next launch, launch-crash detection with a safe mode,
 * and native crashes through the optional TurboModule.
 */
export { init, type ReactNativeOptions, type ReactNativeSdk, type ReadyResult } from './sdk.js';
export type { ReactNativeOwnOptions, StorageOption } from './options.js';
export { asyncStorageStore, type AsyncStorageLike } from './storage/async-storage.js';
export { mmkvStore, type MMKVLike } from './storage/mmkv.js';
export { memoryStore } from './storage/memory.js';
export { makeFetchRequest } from './request.js';
export { makeReactNativeStackParser, hermesStackLineParser, jscStackLineParser } from './stack-parser.js';
export { APP_STATE_KEY, type PersistedAppState } from './app-state.js';
export { LAUNCH_KEY } from './launch-crash.js';
export { SDK_NAME, SDK_VERSION } from './platform.js';
export type { Spec as NativeCrashfreeSpec, NativePendingCrash } from './native/NativeCrashfree.js';
export { parseCrashRecord } from './native/native-crash.js';
export { deviceContextIntegration } from './integrations/device-context.js';
// The capture API works on the client `init` made current (Sentry's scopes).
export { captureException, captureMessage, flush, setUser, setTag, setContext } from '@sentry/core';

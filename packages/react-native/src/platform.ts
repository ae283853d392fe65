import type { Platform, RequestExecutor, Store } from '@crashfree/core';
import { type Client, eventFromMessage, eventFromUnknownInput, getClient, resolvedSyncPromise, uuid4 } from '@sentry/core';
import { makeReactNativeStackParser } from './stack-parser.js';

declare const __CRASHFREE_VERSION__: string | undefined;

/** SDK identity in envelope headers and `event.sdk`. */
export const SDK_NAME = 'crashfree.javascript.react-native';
/** This package's version (set by the build; `0.0.0-dev` when run from source). */
export const SDK_VERSION = typeof __CRASHFREE_VERSION__ === 'string' ? __CRASHFREE_VERSION__ : '0.0.0-dev';

/**
 * The pieces the core needs on React Native. Liveness is the app launch: the
 * JS context is the owner of its sessions, so a session persisted by another
 * launch id belongs to a launch that is gone (RN never runs two JS contexts
 * of the same app on one store at once).
 */
export function makeReactNativePlatform(args: {
  store: Store;
  makeRequest: RequestExecutor;
  launchId?: string;
  logger?: Pick<Console, 'log' | 'warn' | 'error'>;
}): Platform & { launchId: string } {
  const launchId = args.launchId ?? uuid4();
  const stackParser = makeReactNativeStackParser();
  return {
    name: 'javascript',
    sdk: { name: SDK_NAME, version: SDK_VERSION },
    store: args.store,
    makeRequest: args.makeRequest,
    launchId,
    liveness: {
      owner: () => ({ launch: launchId }),
      isAlive: async (owner) => owner.launch === launchId,
    },
    // Both resolve synchronously, as the core's fatal path requires.
    // Sentry's builder reads the mechanism from `hint.data`; callers (and the core) set the standard `hint.mechanism`.
    eventFromException: (exception, hint) =>
      resolvedSyncPromise(
        eventFromUnknownInput(getClient() as Client, stackParser, exception, hint?.mechanism ? { ...hint, data: { ...hint.data, mechanism: hint.mechanism } } : hint),
      ),
    eventFromMessage: (message, level, hint) => resolvedSyncPromise(eventFromMessage(stackParser, message, level, hint, true)),
    ...(args.logger ? { logger: args.logger } : {}),
  };
}

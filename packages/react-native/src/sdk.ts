import { createClient, type CrashfreeClient, type ExternalCrash, type RecoveryResult } from '@crashfree/core';
import type { Integration } from '@sentry/core';
import { AppState } from 'react-native';
import { trackAppStateSessions } from './app-state.js';
import { chainGlobalHandler, getErrorUtils } from './global-handler.js';
import { deviceContextIntegration } from './integrations/device-context.js';
import { makeLaunchCrashTracker, readLaunchHistory } from './launch-crash.js';
import { collectNativeCrashes, getNativeModule } from './native/bridge.js';
import { OWN_OPTION_NAMES, resolveOwnOptions, type ReactNativeOwnOptions } from './options.js';
import { makeReactNativePlatform, SDK_NAME, SDK_VERSION } from './platform.js';
import { trackUnhandledRejections } from './rejections.js';
import { makeFetchRequest } from './request.js';
import { resolveStore } from './storage/resolve.js';

/** Options of `init`: the core's options (dsn, release, environment, ...) plus the React Native ones. */
export type ReactNativeOptions = ReactNativeOwnOptions & Record<string, unknown>;

/** What `ready` tells the app once start-up work is done. */
export interface ReadyResult {
  /** False when the options were invalid (already logged) or the SDK was disabled. */
  enabled: boolean;
  /** Consecutive launch crashes reached `safeModeAfterLaunchCrashes`: optional features stay off. */
  safeMode: boolean;
  /** The previous launch crashed within the launch window; its report was sent (bounded) before `ready`. */
  previousLaunchCrashed: boolean;
  /** What next-launch recovery found and sent. */
  recovery: RecoveryResult;
  /** '' when the native crash module is installed, else why native capture is off. */
  nativeStatus: string;
}

/** The running SDK: its core client, when start-up is done, and how to stop it. */
export interface ReactNativeSdk {
  client: CrashfreeClient | undefined;
  /**
   * Resolves when recovery is done and, after a launch crash, its report is
   * sent (bounded by `launchCrashFlushTimeoutMs`). Apps that must not repeat
   * a launch crash blindly await it before rendering. Never rejects.
   */
  ready: Promise<ReadyResult>;
  /** Restores the previous error handler, stops tracking, ends the session `exited` and flushes. */
  close(timeoutMs?: number): Promise<boolean>;
}

const EMPTY_RECOVERY: RecoveryResult = { crashed: 0, abnormal: 0, events: 0, pending: 0 };

function disabled(): ReactNativeSdk {
  const result: ReadyResult = { enabled: false, safeMode: false, previousLaunchCrashed: false, recovery: EMPTY_RECOVERY, nativeStatus: 'disabled' };
  return { client: undefined, ready: Promise.resolve(result), close: async () => true };
}

/**
 * The platform's default integrations plus the app's: an array is appended
 * (an app integration with the same name replaces the default), a function
 * receives the defaults, as in Sentry's SDKs. Anything else is passed on for
 * the core to report.
 */
function withDefaultIntegrations(user: unknown): unknown {
  const defaults: Integration[] = [deviceContextIntegration()];
  if (user === undefined) return defaults;
  if (typeof user === 'function') return () => (user as (d: Integration[]) => Integration[])(defaults);
  if (!Array.isArray(user)) return user;
  const names = new Set((user as Integration[]).map((i) => i?.name));
  return [...defaults.filter((d) => !names.has(d.name)), ...user];
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/**
 * Starts crashfree in a React Native app. Never throws: invalid options are
 * logged (naming the option, its value and what is expected) and leave the
 * SDK disabled. The fatal error handler is installed synchronously, before
 * any awaited work, so a crash during start-up is still recorded.
 */
export function init(options: ReactNativeOptions): ReactNativeSdk {
  const input = (typeof options === 'object' && options !== null ? options : {}) as Record<string, unknown>;
  const { own, problems } = resolveOwnOptions(input);
  const logger = console;
  if (problems.length > 0) {
    for (const p of problems) logger.error(`[crashfree] init: ${p}. crashfree is disabled.`);
    return disabled();
  }
  // Looked up before the store: its blocking file write makes the session start durable before init returns.
  const nativeFiles = own.enableNative ? getNativeModule() : undefined;
  const { store, persistent, kind } = resolveStore(own.storage, nativeFiles, (e) => input.debug && logger.warn(`[crashfree] native sync write: ${String(e)}`));
  if (!persistent) {
    logger.warn('[crashfree] no persistent storage (install @react-native-async-storage/async-storage or pass `storage`): crashes that end the app are reported only if sent before it dies.');
  }
  const coreOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (!OWN_OPTION_NAMES.includes(k)) coreOptions[k] = v;
  coreOptions.integrations = withDefaultIntegrations(input.integrations);
  const platform = makeReactNativePlatform({ store, makeRequest: own.makeRequest ?? makeFetchRequest() });
  const client = createClient(coreOptions, platform);
  if (!client.isEnabled()) return { ...disabled(), client };

  const now = () => Date.now();
  const startedAt = now();
  const internalError = (e: unknown) => {
    if (input.debug) logger.warn(`[crashfree] ${String(e)}`);
  };
  const launch = makeLaunchCrashTracker({
    store,
    launchId: platform.launchId,
    startedAt,
    windowMs: own.launchCrashWindowMs,
    now,
    onError: internalError,
  });

  const stops: (() => void)[] = [];
  const errorUtils = getErrorUtils();
  if (errorUtils) {
    stops.push(
      chainGlobalHandler(errorUtils, {
        onError: (error) => {
          client.captureException(error, { mechanism: { type: 'onerror', handled: true } });
        },
        onFatal: (error) => {
          const launchCrash = launch.isLaunchCrash();
          const launchWrite = launch.recordFatal();
          client.captureFatalSync(error, {
            mechanism: { type: 'onerror', handled: false },
            ...(launchCrash ? { captureContext: { tags: { launch_crash: 'yes' } } } : {}),
          });
          return withTimeout(Promise.all([launchWrite, client.flush(own.fatalFlushTimeoutMs)]), own.fatalFlushTimeoutMs);
        },
        onInternalError: internalError,
      }),
    );
  } else {
    logger.warn('[crashfree] global.ErrorUtils is missing: fatal JS errors are not captured.');
  }

  // Start the session now rather than after recovery (client.start keeps a
  // running one): a crash during start-up must end a session `crashed`, or
  // the launch crashes that matter most would be missing from the ratio.
  if (AppState.currentState !== 'background') client.startSession();

  const ready = (async (): Promise<ReadyResult> => {
    const history = await readLaunchHistory(store);
    const previousLaunchCrashed = history.consecutiveLaunchCrashes > 0;
    const safeMode = history.consecutiveLaunchCrashes >= own.safeModeAfterLaunchCrashes;
    const native = own.enableNative && !safeMode ? getNativeModule() : undefined;
    let nativeStatus = safeMode ? 'safe mode' : own.enableNative ? 'the native module is not linked' : 'disabled by enableNative: false';
    // Native handlers first (a native crash during recovery is still caught);
    // this launch's own record files are never among the pending ones.
    if (native) {
      nativeStatus = await native
        .install({
          release: String(input.release ?? ''),
          environment: String(input.environment ?? 'production'),
          sdk: `${SDK_NAME}/${SDK_VERSION}`,
          sessionId: client.getSessionId() ?? '',
        })
        .catch((e: unknown) => `install failed: ${String(e)}`);
    }
    let crashes: ExternalCrash[] = [];
    if (native) crashes = await collectNativeCrashes(native, (m) => logger.warn(m)).catch(() => []);
    const recovery = await client.start({ crashes });
    if (previousLaunchCrashed) await client.flush(own.launchCrashFlushTimeoutMs);
    stops.push(
      trackAppStateSessions({
        appState: AppState,
        sessions: client,
        store,
        timeoutMs: own.backgroundTimeoutMs,
        now,
        onError: internalError,
        onTransition: (sid) => {
          if (native && nativeStatus === '') native.setAnnotations({ sid: sid ?? '' });
        },
      }),
    );
    const survive = setTimeout(() => void launch.survivedWindow(), Math.max(0, own.launchCrashWindowMs - (now() - startedAt)));
    stops.push(() => clearTimeout(survive));
    if (own.trackUnhandledRejections && !safeMode) {
      trackUnhandledRejections(
        (reason) => client.captureException(reason, { mechanism: { type: 'onunhandledrejection', handled: true } }),
        internalError,
      );
    }
    if (input.debug) logger.log(`[crashfree] ready: storage ${kind}, native ${nativeStatus || 'on'}, safe mode ${safeMode}`);
    return { enabled: true, safeMode, previousLaunchCrashed, recovery, nativeStatus };
  })().catch((e: unknown): ReadyResult => {
    internalError(e);
    return { enabled: true, safeMode: false, previousLaunchCrashed: false, recovery: EMPTY_RECOVERY, nativeStatus: `start failed: ${String(e)}` };
  });

  return {
    client,
    ready,
    async close(timeoutMs = 2_000) {
      await ready;
      for (const stop of stops.splice(0)) stop();
      return client.close(timeoutMs);
    },
  };
}

import type { Store } from '@crashfree/core';

/** Store key prefix of launch-crash markers, one per launch that crashed within the launch window. */
export const LAUNCH_KEY = 'rn/launch-crash/';

/** What init learns about the previous launches. */
export interface LaunchHistory {
  /** Consecutive previous launches that crashed within the launch window. */
  consecutiveLaunchCrashes: number;
}

/** Counts the markers; a store that cannot be read counts as no launch crash. */
export async function readLaunchHistory(store: Store): Promise<LaunchHistory> {
  try {
    return { consecutiveLaunchCrashes: (await store.keys(LAUNCH_KEY)).length };
  } catch {
    return { consecutiveLaunchCrashes: 0 };
  }
}

/**
 * Tracks whether this launch crashes inside the launch window. A crash there
 * writes one marker keyed by this launch (synchronously when the store can,
 * as the app is about to die; no read is needed, so a crash before the
 * history was even loaded still counts). Surviving the window deletes every
 * marker, so only *consecutive* launch crashes accumulate towards safe mode.
 */
export function makeLaunchCrashTracker(args: {
  store: Store;
  launchId: string;
  startedAt: number;
  windowMs: number;
  now: () => number;
  onError: (e: unknown) => void;
}): { recordFatal(): Promise<void>; survivedWindow(): Promise<void>; isLaunchCrash(): boolean } {
  const { store, launchId, startedAt, windowMs, now, onError } = args;
  let settled = false;
  const isLaunchCrash = () => now() - startedAt <= windowMs;
  return {
    isLaunchCrash,
    recordFatal() {
      if (settled || !isLaunchCrash()) return Promise.resolve();
      settled = true;
      const key = LAUNCH_KEY + launchId;
      const value = JSON.stringify({ at: now() });
      if (store.setSync) {
        try {
          store.setSync(key, value);
          return Promise.resolve();
        } catch (e) {
          onError(e);
        }
      }
      return store.set(key, value).catch(onError);
    },
    async survivedWindow() {
      if (settled) return;
      settled = true;
      try {
        for (const key of await store.keys(LAUNCH_KEY)) await store.delete(key);
      } catch (e) {
        onError(e);
      }
    },
  };
}

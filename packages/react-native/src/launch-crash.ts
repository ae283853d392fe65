import type { Store } from '@crashfree/core';

/** Store key of the consecutive launch-crash counter. */
export const LAUNCH_KEY = 'rn/launch-crashes';

/** What init learns about the previous launches. */
export interface LaunchHistory {
  /** Consecutive previous launches that crashed within the launch window. */
  consecutiveLaunchCrashes: number;
}

/** Reads the counter; a missing or unreadable value counts as no launch crash. */
export async function readLaunchHistory(store: Store): Promise<LaunchHistory> {
  try {
    const raw = await store.get(LAUNCH_KEY);
    const n = typeof raw === 'string' ? Number(JSON.parse(raw)?.consecutive) : 0;
    return { consecutiveLaunchCrashes: Number.isInteger(n) && n > 0 ? n : 0 };
  } catch {
    return { consecutiveLaunchCrashes: 0 };
  }
}

/**
 * Tracks whether this launch crashes inside the launch window. A crash inside
 * it increments the persisted counter (synchronously when the store can, as
 * the app is about to die); surviving the window resets it to zero, so only
 * *consecutive* launch crashes accumulate towards safe mode.
 */
export function makeLaunchCrashTracker(args: {
  store: Store;
  history: LaunchHistory;
  startedAt: number;
  windowMs: number;
  now: () => number;
  onError: (e: unknown) => void;
}): { recordFatal(): Promise<void>; survivedWindow(): void; isLaunchCrash(): boolean } {
  const { store, history, startedAt, windowMs, now, onError } = args;
  let settled = false;
  const write = (consecutive: number): Promise<void> => {
    const value = JSON.stringify({ consecutive, at: now() });
    if (store.setSync) {
      try {
        store.setSync(LAUNCH_KEY, value);
        return Promise.resolve();
      } catch (e) {
        onError(e);
      }
    }
    return store.set(LAUNCH_KEY, value).catch(onError);
  };
  return {
    isLaunchCrash: () => now() - startedAt <= windowMs,
    recordFatal() {
      if (settled || now() - startedAt > windowMs) return Promise.resolve();
      settled = true;
      return write(history.consecutiveLaunchCrashes + 1);
    },
    survivedWindow() {
      if (settled) return;
      settled = true;
      if (history.consecutiveLaunchCrashes > 0) void write(0);
    },
  };
}

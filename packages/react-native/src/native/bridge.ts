import type { ExternalCrash } from '@crashfree/core';
import { TurboModuleRegistry } from 'react-native';
import type { Spec } from './NativeCrashfree.js';
import { nativeCrashToExternal } from './native-crash.js';

/** The linked native module, or undefined when the app runs with the JS layer only. */
export function getNativeModule(): Spec | undefined {
  try {
    return TurboModuleRegistry.get<Spec>('Crashfree') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the native crashes of previous launches and converts them for the
 * core's recovery. Records that cannot be understood are deleted (reported
 * once through `warn`) so they cannot block every later launch.
 */
export async function collectNativeCrashes(native: Spec, warn: (message: string) => void): Promise<ExternalCrash[]> {
  const pending = await native.getPendingCrashes();
  const crashes: ExternalCrash[] = [];
  let unreadable = 0;
  for (const p of pending) {
    const crash = nativeCrashToExternal(p, (id) => native.markDelivered(id));
    if (crash) crashes.push(crash);
    else {
      unreadable++;
      await native.markDelivered(p.id).catch(() => undefined);
    }
  }
  if (unreadable > 0) warn(`[crashfree] skipped ${unreadable} unreadable native crash record(s)`);
  return crashes;
}

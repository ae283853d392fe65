import type { RequestExecutor, Store } from '@crashfree/core';
import type { AsyncStorageLike } from './storage/async-storage.js';
import type { MMKVLike } from './storage/mmkv.js';

/** What `storage` accepts: a ready Store, an AsyncStorage module or an MMKV instance. */
export type StorageOption = Store | AsyncStorageLike | MMKVLike;

/** The React Native SDK's own options; every other option goes to @crashfree/core unchanged. */
export interface ReactNativeOwnOptions {
  /** How long the app may stay in the background and still continue its session (ms, default 30 000). */
  backgroundTimeoutMs?: number;
  /** How long a fatal JS error waits for its report to be sent before the app is ended (ms, default 2 000). */
  fatalFlushTimeoutMs?: number;
  /** A crash this soon after init counts as a launch crash (ms, default 5 000). */
  launchCrashWindowMs?: number;
  /** How long init waits to send a previous launch crash before the app continues (ms, default 5 000). */
  launchCrashFlushTimeoutMs?: number;
  /** Consecutive launch crashes after which the SDK starts in safe mode (default 2). */
  safeModeAfterLaunchCrashes?: number;
  /** Where sessions, crash records and the queue persist; default: AsyncStorage when installed. */
  storage?: StorageOption;
  /** Sends one envelope; default: `fetch`. */
  makeRequest?: RequestExecutor;
  /** Use the native crash module when it is linked (default true). */
  enableNative?: boolean;
  /** Capture unhandled promise rejections as errors (default true). */
  trackUnhandledRejections?: boolean;
}

/** Own options with their defaults applied. */
export type ResolvedOwnOptions = Required<Omit<ReactNativeOwnOptions, 'storage' | 'makeRequest'>> &
  Pick<ReactNativeOwnOptions, 'storage' | 'makeRequest'>;

const NUMBERS = {
  backgroundTimeoutMs: 30_000,
  fatalFlushTimeoutMs: 2_000,
  launchCrashWindowMs: 5_000,
  launchCrashFlushTimeoutMs: 5_000,
} as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (string)`;
  if (value === null) return 'null';
  if (typeof value === 'object') return `an ${Array.isArray(value) ? 'array' : 'object'}`;
  return `${String(value)} (${typeof value})`;
}

function problem(name: string, value: unknown, expected: string): string {
  return `option "${name}" is ${describe(value)}; expected ${expected}`;
}

/** True when `value` has every listed method. */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return names.every((n) => typeof o[n] === 'function');
}

/**
 * Validates and defaults the React Native options. Returns every problem as
 * one sentence naming the option, its value and what is expected; the caller
 * logs them and disables the SDK rather than throwing into the app.
 */
export function resolveOwnOptions(options: Record<string, unknown>): { own: ResolvedOwnOptions; problems: string[] } {
  const problems: string[] = [];
  const num = (name: keyof typeof NUMBERS): number => {
    const v = options[name];
    if (v === undefined) return NUMBERS[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      problems.push(problem(name, v, 'a number of milliseconds >= 0'));
      return NUMBERS[name];
    }
    return v;
  };
  const bool = (name: string): boolean => {
    const v = options[name];
    if (v === undefined) return true;
    if (typeof v !== 'boolean') problems.push(problem(name, v, 'true or false'));
    return v !== false;
  };
  let safeMode = 2;
  const s = options.safeModeAfterLaunchCrashes;
  if (s !== undefined) {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) {
      problems.push(problem('safeModeAfterLaunchCrashes', s, 'an integer >= 1'));
    } else safeMode = s;
  }
  const storage = options.storage;
  if (
    storage !== undefined &&
    !hasMethods(storage, ['get', 'set', 'delete', 'keys']) &&
    !hasMethods(storage, ['getItem', 'setItem', 'removeItem', 'getAllKeys']) &&
    !hasMethods(storage, ['getString', 'set', 'getAllKeys'])
  ) {
    problems.push(problem('storage', storage, 'a crashfree Store, the AsyncStorage module or an MMKV instance'));
  }
  const makeRequest = options.makeRequest;
  if (makeRequest !== undefined && typeof makeRequest !== 'function') {
    problems.push(problem('makeRequest', makeRequest, 'a function (request) => Promise<response>'));
  }
  const own: ResolvedOwnOptions = {
    backgroundTimeoutMs: num('backgroundTimeoutMs'),
    fatalFlushTimeoutMs: num('fatalFlushTimeoutMs'),
    launchCrashWindowMs: num('launchCrashWindowMs'),
    launchCrashFlushTimeoutMs: num('launchCrashFlushTimeoutMs'),
    safeModeAfterLaunchCrashes: safeMode,
    enableNative: bool('enableNative'),
    trackUnhandledRejections: bool('trackUnhandledRejections'),
    storage: storage as StorageOption | undefined,
    makeRequest: makeRequest as RequestExecutor | undefined,
  };
  return { own, problems };
}

/** The option names that belong to this package and are not passed to the core. */
export const OWN_OPTION_NAMES: readonly string[] = [
  ...Object.keys(NUMBERS),
  'safeModeAfterLaunchCrashes',
  'storage',
  'makeRequest',
  'enableNative',
  'trackUnhandledRejections',
];

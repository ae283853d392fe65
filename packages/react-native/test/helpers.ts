import { startCollector, type Collector } from '@crashfree/collector';
import type { RequestExecutor } from '@crashfree/core';
import { init, makeFetchRequest, type AsyncStorageLike, type MMKVLike, type ReactNativeOptions, type ReactNativeSdk } from '../src/index.js';
import { resetReactNative } from './shim/react-native.js';

/** A collector on loopback with a fresh data dir (removed on close). */
export async function collector(): Promise<Collector> {
  return startCollector({ port: 0, log: () => {} });
}

/**
 * An in-memory AsyncStorage following the package's documented API. `kill()`
 * models the app process dying: every later call of this instance never
 * settles (the data already written stays, as on disk).
 */
export function fakeAsyncStorage(data: Map<string, string>): AsyncStorageLike & { kill(): void } {
  let dead = false;
  const op = <T>(fn: () => T): Promise<T> => (dead ? new Promise<T>(() => {}) : Promise.resolve().then(fn));
  return {
    getItem: (k) => op(() => data.get(k) ?? null),
    setItem: (k, v) => op(() => void data.set(k, v)),
    removeItem: (k) => op(() => void data.delete(k)),
    getAllKeys: () => op(() => [...data.keys()]),
    kill() {
      dead = true;
    },
  };
}

/** An in-memory MMKV instance following react-native-mmkv's documented API (`remove` as in v4, or `delete` as in v2/v3). */
export function fakeMMKV(data = new Map<string, string>(), style: 'remove' | 'delete' = 'remove'): MMKVLike {
  const base = {
    getString: (k: string) => data.get(k),
    set: (k: string, v: string) => void data.set(k, v),
    getAllKeys: () => [...data.keys()],
  };
  return style === 'remove' ? { ...base, remove: (k: string) => data.delete(k) } : { ...base, delete: (k: string) => void data.delete(k) };
}

/** The state that survives app launches on one simulated device. */
export interface Device {
  data: Map<string, string>;
  launch(options?: Partial<ReactNativeOptions>): Launch;
}

/** One app launch: the SDK, the RN world it runs in, and how it ends. */
export interface Launch {
  sdk: ReactNativeSdk;
  fatalsSeen: { error: unknown; isFatal: boolean }[];
  /** The process dies now: storage and network calls of this launch never settle again. */
  kill(): void;
}

/** A device whose launches send to `target` (a collector) through real fetch. */
export function device(target: Collector | { dsn: string }): Device {
  const data = new Map<string, string>();
  return {
    data,
    launch(options = {}) {
      const { fatalsSeen } = resetReactNative();
      const storage = fakeAsyncStorage(data);
      let dead = false;
      const fetchRequest = makeFetchRequest();
      const makeRequest: RequestExecutor = (req) => (dead ? new Promise(() => {}) : fetchRequest(req));
      const sdk = init({ dsn: target.dsn, release: 'app@1.0.0+1', environment: 'test', storage, makeRequest, ...options });
      return {
        sdk,
        fatalsSeen,
        kill() {
          dead = true;
          storage.kill();
        },
      };
    },
  };
}

/** Polls `fn` until it returns a truthy value (bounded: 100 tries, ~5 s). */
export async function eventually<T>(fn: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Session updates the collector stored, as payload objects. */
export function sessionUpdates(c: Collector): Record<string, unknown>[] {
  return c.items({ type: 'session' }).map((i) => i.payload as Record<string, unknown>);
}

/** Events the collector stored. */
export function events(c: Collector): Record<string, any>[] {
  return c.items({ type: 'event' }).map((i) => i.payload as Record<string, any>);
}

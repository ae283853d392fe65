import type { Store, StoreValue } from '@crashfree/core';
import { decodeValue, encodeValue } from './encoding.js';

/**
 * The part of `@react-native-async-storage/async-storage`'s documented API
 * this adapter uses; the package's default export satisfies it.
 */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
  getAllKeys(): Promise<readonly string[]>;
}

/**
 * A Store over AsyncStorage. Every key is namespaced under `prefix` so the
 * SDK never lists or touches the app's own keys. AsyncStorage has no
 * synchronous write, so this Store has no `setSync`: the fatal path starts
 * the writes and waits for them with a bound instead.
 */
export function asyncStorageStore(storage: AsyncStorageLike, prefix = '@crashfree/'): Store {
  return {
    async get(key) {
      const raw = await storage.getItem(prefix + key);
      return raw === null ? undefined : decodeValue(raw);
    },
    async set(key: string, value: StoreValue) {
      // setItem replaces the whole value in one SQLite/file write: atomic per key.
      await storage.setItem(prefix + key, encodeValue(value));
    },
    async delete(key) {
      await storage.removeItem(prefix + key);
    },
    async keys(keyPrefix = '') {
      const all = await storage.getAllKeys();
      const full = prefix + keyPrefix;
      return all
        .filter((k) => k.startsWith(full))
        .map((k) => k.slice(prefix.length))
        .sort();
    },
  };
}

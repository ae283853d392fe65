import type { Store, StoreValue } from '@crashfree/core';
import { decodeValue, encodeValue } from './encoding.js';

/**
 * The part of `react-native-mmkv`'s documented instance API this adapter
 * uses. v2/v3 instances remove with `delete`, v4 ones with `remove`; either
 * is accepted.
 */
export interface MMKVLike {
  getString(key: string): string | undefined;
  set(key: string, value: string): void;
  getAllKeys(): string[];
  delete?(key: string): void;
  remove?(key: string): unknown;
}

/**
 * A Store over an MMKV instance. MMKV writes synchronously into a memory-mapped
 * file that survives the JS process dying, so this Store offers `setSync`:
 * a fatal error's crash record is durable before the previous handler runs.
 */
export function mmkvStore(mmkv: MMKVLike, prefix = '@crashfree/'): Store {
  const remove = (key: string): void => {
    if (typeof mmkv.remove === 'function') mmkv.remove(key);
    else if (typeof mmkv.delete === 'function') mmkv.delete(key);
    else throw new TypeError('[crashfree] mmkvStore: the MMKV instance has neither remove() nor delete()');
  };
  const setSync = (key: string, value: StoreValue): void => {
    mmkv.set(prefix + key, encodeValue(value));
  };
  return {
    async get(key) {
      const raw = mmkv.getString(prefix + key);
      return raw === undefined ? undefined : decodeValue(raw);
    },
    async set(key, value) {
      setSync(key, value);
    },
    async delete(key) {
      remove(prefix + key);
    },
    async keys(keyPrefix = '') {
      const full = prefix + keyPrefix;
      return mmkv
        .getAllKeys()
        .filter((k) => k.startsWith(full))
        .map((k) => k.slice(prefix.length))
        .sort();
    },
    setSync,
  };
}

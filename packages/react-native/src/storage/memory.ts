import type { Store, StoreValue } from '@crashfree/core';

/**
 * A Store that lives only as long as the JS context. Used when no persistent
 * storage is installed (release health still works for the running app, but
 * nothing survives a crash: init warns once) and as a building block for
 * hosts that persist the map themselves.
 */
export function memoryStore(initial?: Iterable<[string, StoreValue]>): Store & { entries(): [string, StoreValue][] } {
  const map = new Map<string, StoreValue>(initial);
  return {
    async get(key) {
      return map.get(key);
    },
    async set(key, value) {
      map.set(key, value);
    },
    async delete(key) {
      map.delete(key);
    },
    async keys(prefix = '') {
      return [...map.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    entries() {
      return [...map.entries()];
    },
  };
}

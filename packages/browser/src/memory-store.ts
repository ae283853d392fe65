import type { Store, StoreValue } from '@crashfree/core';

/**
 * A Store kept in page memory: what the SDK falls back to when IndexedDB is
 * unavailable or throwing. It satisfies the Store contract for the life of the
 * page; nothing in it survives a reload.
 */
export function createMemoryStore(): Store {
  const data = new Map<string, StoreValue>();
  return {
    get: (key) => Promise.resolve(data.get(key)),
    set: (key, value) => {
      data.set(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      data.delete(key);
      return Promise.resolve();
    },
    keys: (prefix = '') => Promise.resolve([...data.keys()].filter((k) => k.startsWith(prefix)).sort()),
  };
}

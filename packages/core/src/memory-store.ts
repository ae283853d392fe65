import type { Store, StoreValue } from './types.js';

/**
 * A Store kept in memory: for tests, and for platforms with no persistence
 * (nothing survives the process, so next-launch recovery finds nothing).
 * Values are copied in and out so a caller mutating a Uint8Array cannot
 * change what is stored.
 */
export function createMemoryStore(): Store {
  const data = new Map<string, StoreValue>();
  const copy = (v: StoreValue): StoreValue => (typeof v === 'string' ? v : v.slice());
  return {
    get: async (key) => {
      const v = data.get(key);
      return v === undefined ? undefined : copy(v);
    },
    set: async (key, value) => {
      data.set(key, copy(value));
    },
    delete: async (key) => {
      data.delete(key);
    },
    keys: async (prefix = '') => [...data.keys()].filter((k) => k.startsWith(prefix)).sort(),
    setSync: (key, value) => {
      data.set(key, copy(value));
    },
  };
}

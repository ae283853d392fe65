import type { Store, StoreValue } from '@crashfree/core';

/** The native module's blocking file methods (src/native/NativeCrashfree.ts) this wrapper uses. */
export interface SyncFiles {
  setItemSync(key: string, value: string): void;
  removeItemSync(key: string): void;
  getItemsSync(): { [key: string]: string };
}

/**
 * Gives a Store without a synchronous write (AsyncStorage) one: `setSync`
 * writes a small text record through the native module's blocking method (a
 * file in the app's files dir, written and renamed before the call returns),
 * so a session's start marker survives the app being killed right after
 * `init()`. From then on `set` writes that key through to the file too, so
 * the file is always the newest copy and `get` reads it first; `delete`
 * removes both. The files are read once, at creation (one JS context owns
 * them). Bytes, or a failing native call, fall back to the Store's own write.
 */
export function withSyncMarkers(store: Store, files: SyncFiles, onError: (e: unknown) => void): Store {
  let synced: Map<string, string>;
  try {
    synced = new Map(Object.entries(files.getItemsSync() ?? {}));
  } catch (e) {
    onError(e);
    return store;
  }
  /** Writes `value` to the file of `key` (when it has one, or `force`); false when it could not. */
  const mirror = (key: string, value: StoreValue | undefined, force = false): boolean => {
    try {
      if (typeof value !== 'string') {
        if (synced.delete(key)) files.removeItemSync(key);
        return false;
      }
      if (!force && !synced.has(key)) return false;
      files.setItemSync(key, value);
      synced.set(key, value);
      return true;
    } catch (e) {
      // A stale file must not outlive the newer value in the Store.
      synced.delete(key);
      onError(e);
      return false;
    }
  };
  return {
    async get(key) {
      return synced.get(key) ?? store.get(key);
    },
    async set(key, value) {
      mirror(key, value);
      await store.set(key, value);
    },
    async delete(key) {
      mirror(key, undefined);
      await store.delete(key);
    },
    async keys(prefix = '') {
      const all = new Set(await store.keys(prefix));
      for (const k of synced.keys()) if (k.startsWith(prefix)) all.add(k);
      return [...all].sort();
    },
    setSync(key, value) {
      if (!mirror(key, value, true)) void store.set(key, value).catch(onError);
    },
  };
}

import type { Store } from '@crashfree/core';
import { hasMethods, type StorageOption } from '../options.js';
import { asyncStorageStore, type AsyncStorageLike } from './async-storage.js';
import { memoryStore } from './memory.js';
import { mmkvStore, type MMKVLike } from './mmkv.js';

// Metro resolves `require` calls inside try/catch as optional dependencies
// (RN's metro config sets allowOptionalDependencies), so an app without
// AsyncStorage still bundles. TypeScript has no `require` in a neutral lib.
declare const require: ((id: string) => unknown) | undefined;

function loadAsyncStorage(): AsyncStorageLike | undefined {
  try {
    if (typeof require !== 'function') return undefined;
    const mod = require('@react-native-async-storage/async-storage') as { default?: unknown } | undefined;
    const candidate = mod && 'default' in mod ? mod.default : mod;
    return hasMethods(candidate, ['getItem', 'setItem', 'removeItem', 'getAllKeys']) ? (candidate as AsyncStorageLike) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns the `storage` option into a Store: a Store is used as is, an
 * AsyncStorage module or an MMKV instance is wrapped; without one,
 * AsyncStorage is loaded when installed. `persistent: false` means nothing
 * will survive the app dying (the caller warns once).
 */
export function resolveStore(option: StorageOption | undefined): { store: Store; persistent: boolean; kind: string } {
  if (option && hasMethods(option, ['get', 'set', 'delete', 'keys'])) return { store: option as Store, persistent: true, kind: 'custom' };
  if (option && hasMethods(option, ['getItem', 'setItem'])) {
    return { store: asyncStorageStore(option as AsyncStorageLike), persistent: true, kind: 'async-storage' };
  }
  if (option && hasMethods(option, ['getString'])) return { store: mmkvStore(option as MMKVLike), persistent: true, kind: 'mmkv' };
  const asyncStorage = loadAsyncStorage();
  if (asyncStorage) return { store: asyncStorageStore(asyncStorage), persistent: true, kind: 'async-storage' };
  return { store: memoryStore(), persistent: false, kind: 'memory' };
}

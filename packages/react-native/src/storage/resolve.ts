import type { Store } from '@crashfree/core';
import { hasMethods, type StorageOption } from '../options.js';
import { asyncStorageStore, type AsyncStorageLike } from './async-storage.js';
import { memoryStore } from './memory.js';
import { mmkvStore, type MMKVLike } from './mmkv.js';
import { withSyncMarkers, type SyncFiles } from './sync-markers.js';

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
 * will survive the app dying (the caller warns once). With `files` (the
 * linked native module), a Store without `setSync` gets one
 * (`withSyncMarkers`); without the native module an AsyncStorage Store has
 * none: the start marker is then written asynchronously, and an app killed
 * before AsyncStorage's write lands (a few ms after init) is not counted.
 */
export function resolveStore(option: StorageOption | undefined, files?: SyncFiles, onError: (e: unknown) => void = () => undefined): { store: Store; persistent: boolean; kind: string } {
  const found = resolveBase(option);
  // A store that cannot write synchronously (AsyncStorage) gets the native module's blocking file write for its start markers.
  if (!found.persistent || found.store.setSync || typeof files?.setItemSync !== 'function') return found;
  return { ...found, store: withSyncMarkers(found.store, files, onError), kind: `${found.kind}+native-sync` };
}

function resolveBase(option: StorageOption | undefined): { store: Store; persistent: boolean; kind: string } {
  if (option && hasMethods(option, ['get', 'set', 'delete', 'keys'])) return { store: option as Store, persistent: true, kind: 'custom' };
  if (option && hasMethods(option, ['getItem', 'setItem'])) {
    return { store: asyncStorageStore(option as AsyncStorageLike), persistent: true, kind: 'async-storage' };
  }
  if (option && hasMethods(option, ['getString'])) return { store: mmkvStore(option as MMKVLike), persistent: true, kind: 'mmkv' };
  const asyncStorage = loadAsyncStorage();
  if (asyncStorage) return { store: asyncStorageStore(asyncStorage), persistent: true, kind: 'async-storage' };
  return { store: memoryStore(), persistent: false, kind: 'memory' };
}

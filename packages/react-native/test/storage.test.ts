import { runStoreContract } from '@crashfree/core/testing';
import { describe, expect, it } from 'vitest';
import { asyncStorageStore, mmkvStore } from '../src/index.js';
import { fakeAsyncStorage, fakeMMKV } from './helpers.js';
import { withSyncMarkers, type SyncFiles } from '../src/storage/sync-markers.js';

runStoreContract('asyncStorageStore', () => asyncStorageStore(fakeAsyncStorage(new Map())), { describe, it, expect });
runStoreContract('mmkvStore (v4 remove)', () => mmkvStore(fakeMMKV(new Map(), 'remove')), { describe, it, expect });
runStoreContract('mmkvStore (v2/v3 delete)', () => mmkvStore(fakeMMKV(new Map(), 'delete')), { describe, it, expect });

/** The native module's blocking file methods over a map (the files). */
function fakeFiles(files = new Map<string, string>()): SyncFiles & { files: Map<string, string> } {
  return {
    files,
    setItemSync: (k, v) => void files.set(k, v),
    removeItemSync: (k) => void files.delete(k),
    getItemsSync: () => Object.fromEntries(files),
  };
}
runStoreContract('withSyncMarkers(asyncStorageStore)', () => withSyncMarkers(asyncStorageStore(fakeAsyncStorage(new Map())), fakeFiles(), () => undefined), { describe, it, expect });

describe('withSyncMarkers', () => {
  it('a setSync record survives into the next launch, later sets keep it newest, delete removes both', async () => {
    const data = new Map<string, string>();
    const files = fakeFiles();
    const first = withSyncMarkers(asyncStorageStore(fakeAsyncStorage(data)), files, () => undefined);
    first.setSync!('session/a', '{"seq":0}');
    expect(files.files.get('session/a')).toBe('{"seq":0}');
    // The app dies here: the async store never got the write.
    const next = withSyncMarkers(asyncStorageStore(fakeAsyncStorage(data)), files, () => undefined);
    expect(await next.keys('session/')).toEqual(['session/a']);
    expect(await next.get('session/a')).toBe('{"seq":0}');
    await next.set('session/a', '{"seq":1}');
    expect(files.files.get('session/a')).toBe('{"seq":1}');
    await next.set('queue/x', 'envelope');
    expect(files.files.has('queue/x')).toBe(false);
    await next.delete('session/a');
    expect(files.files.size).toBe(0);
    expect(await next.get('session/a')).toBeUndefined();
  });

  it('a failing native write falls back to the async store and reports once per failure', async () => {
    const errors: unknown[] = [];
    const data = new Map<string, string>();
    const files: SyncFiles = { ...fakeFiles(), setItemSync: () => { throw new Error('disk full'); } };
    const store = withSyncMarkers(asyncStorageStore(fakeAsyncStorage(data)), files, (e) => errors.push(e));
    store.setSync!('session/b', 'v');
    await new Promise((r) => setTimeout(r, 0));
    expect(await store.get('session/b')).toBe('v');
    expect(errors).toHaveLength(1);
  });
});

describe('storage adapters', () => {
  it('keep to their namespace: app keys are neither listed nor touched', async () => {
    const data = new Map([['user-token', 'secret'], ['@crashfree-other', 'x']]);
    const store = asyncStorageStore(fakeAsyncStorage(data));
    await store.set('session/a', 'A');
    expect(await store.keys()).toEqual(['session/a']);
    await store.delete('session/a');
    expect([...data.keys()].sort()).toEqual(['@crashfree-other', 'user-token']);
  });

  it('read a foreign or damaged value as absent instead of throwing', async () => {
    const data = new Map([
      ['@crashfree/session/x', 'not tagged'],
      ['@crashfree/queue/y', 'b@@@@'],
    ]);
    const store = asyncStorageStore(fakeAsyncStorage(data));
    expect(await store.get('session/x')).toBeUndefined();
    expect(await store.get('queue/y')).toBeUndefined();
  });

  it('MMKV writes synchronously (setSync) and AsyncStorage does not claim to', () => {
    const data = new Map<string, string>();
    const store = mmkvStore(fakeMMKV(data));
    store.setSync?.('crash/s', 'record');
    expect(data.get('@crashfree/crash/s')).toBe('trecord');
    expect(asyncStorageStore(fakeAsyncStorage(new Map())).setSync).toBeUndefined();
  });
});

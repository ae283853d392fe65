import { runStoreContract } from '@crashfree/core/testing';
import { describe, expect, it } from 'vitest';
import { asyncStorageStore, mmkvStore } from '../src/index.js';
import { fakeAsyncStorage, fakeMMKV } from './helpers.js';

runStoreContract('asyncStorageStore', () => asyncStorageStore(fakeAsyncStorage(new Map())), { describe, it, expect });
runStoreContract('mmkvStore (v4 remove)', () => mmkvStore(fakeMMKV(new Map(), 'remove')), { describe, it, expect });
runStoreContract('mmkvStore (v2/v3 delete)', () => mmkvStore(fakeMMKV(new Map(), 'delete')), { describe, it, expect });

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

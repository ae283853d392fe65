import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@crashfree/core';
import { runStoreContract } from '@crashfree/core/testing';

runStoreContract('memory', () => createMemoryStore(), { describe, it, expect });

describe('memory store', () => {
  it('copies binary values in and out', async () => {
    const store = createMemoryStore();
    const bytes = new Uint8Array([1, 2, 3]);
    await store.set('k', bytes);
    bytes[0] = 9;
    const back = (await store.get('k')) as Uint8Array;
    expect([...back]).toEqual([1, 2, 3]);
    back[1] = 9;
    expect([...((await store.get('k')) as Uint8Array)]).toEqual([1, 2, 3]);
  });
});

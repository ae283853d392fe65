/**
 * @crashfree/core/testing — suites every platform implementation runs.
 */
import type { Store } from './types.js';

/** The subset of vitest (or jest) the contract suite uses, passed in so the core has no test-runner dependency. */
export interface ContractRunner {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void> | void) => void;
  expect: (value: unknown) => {
    toBe(expected: unknown): void;
    toEqual(expected: unknown): void;
    toBeUndefined(): void;
    toBeInstanceOf(expected: unknown): void;
  };
}

const asBytes = (v: unknown): number[] | undefined => (v instanceof Uint8Array ? [...v] : undefined);

/**
 * The Store contract (see `Store` in types.ts): every implementation runs it
 * in its own tests with a fresh, empty store per case from `makeStore`.
 */
export function runStoreContract(name: string, makeStore: () => Store | Promise<Store>, { describe, it, expect }: ContractRunner): void {
  describe(`Store contract: ${name}`, () => {
    it('returns undefined for an absent key and deleting it is not an error', async () => {
      const store = await makeStore();
      expect(await store.get('session/absent')).toBeUndefined();
      await store.delete('session/absent');
      expect(await store.keys()).toEqual([]);
    });

    it('round-trips text and overwrites atomically', async () => {
      const store = await makeStore();
      await store.set('session/a', '{"x":1}');
      expect(await store.get('session/a')).toBe('{"x":1}');
      await store.set('session/a', 'second é ✓');
      expect(await store.get('session/a')).toBe('second é ✓');
      expect(await store.keys('session/')).toEqual(['session/a']);
    });

    it('appendSync, when the Store has it, is a set that is done when it returns, and later writes of the key win', async () => {
      const store = await makeStore();
      if (!store.appendSync) return;
      store.appendSync('queue/a', 'one');
      store.appendSync('queue/b', new Uint8Array([1, 2, 3]));
      expect(await store.get('queue/a')).toBe('one');
      expect(asBytes(await store.get('queue/b'))).toEqual([1, 2, 3]);
      expect(await store.keys('queue/')).toEqual(['queue/a', 'queue/b']);
      await store.set('queue/a', 'two');
      await store.delete('queue/b');
      expect(await store.get('queue/a')).toBe('two');
      expect(await store.keys('queue/')).toEqual(['queue/a']);
    });

    it('round-trips binary values byte for byte', async () => {
      const store = await makeStore();
      const bytes = new Uint8Array(70_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) % 256;
      await store.set('queue/bin', bytes);
      const back = await store.get('queue/bin');
      expect(back).toBeInstanceOf(Uint8Array);
      expect(asBytes(back)?.length).toBe(bytes.length);
      expect(asBytes(back)).toEqual([...bytes]);
      await store.set('queue/empty', new Uint8Array(0));
      expect(asBytes(await store.get('queue/empty'))).toEqual([]);
    });

    it('deletes, and lists keys by prefix in ascending order', async () => {
      const store = await makeStore();
      for (const k of ['queue/002', 'session/b', 'queue/010', 'crash/x', 'queue/001', 'session/a']) await store.set(k, k);
      expect(await store.keys('queue/')).toEqual(['queue/001', 'queue/002', 'queue/010']);
      expect(await store.keys('session/')).toEqual(['session/a', 'session/b']);
      expect(await store.keys()).toEqual(['crash/x', 'queue/001', 'queue/002', 'queue/010', 'session/a', 'session/b']);
      await store.delete('queue/002');
      expect(await store.get('queue/002')).toBeUndefined();
      expect(await store.keys('queue/')).toEqual(['queue/001', 'queue/010']);
      expect(await store.keys('nothing/')).toEqual([]);
    });

    it('keeps many keys', async () => {
      const store = await makeStore();
      const keys = Array.from({ length: 300 }, (_, i) => `queue/${String(i).padStart(5, '0')}`);
      for (const k of keys) await store.set(k, `v${k}`);
      expect(await store.keys('queue/')).toEqual(keys);
      expect(await store.get('queue/00299')).toBe('vqueue/00299');
    });

    it('takes concurrent sets to different keys and to one key', async () => {
      const store = await makeStore();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`crash/${String(i).padStart(3, '0')}`, `v${i}`)));
      expect((await store.keys('crash/')).length).toBe(50);
      expect(await store.get('crash/017')).toBe('v17');
      const values = Array.from({ length: 20 }, (_, i) => `value-${i}`.repeat(100));
      await Promise.all(values.map((v) => store.set('session/same', v)));
      const last = await store.get('session/same');
      // Atomic writes: whichever finished last, never a mix.
      expect(typeof last === 'string' && values.includes(last)).toBe(true);
    });

    it('setSync, when provided, is visible to get', async () => {
      const store = await makeStore();
      if (!store.setSync) return;
      store.setSync('crash/sync', '{"fatal":true}');
      expect(await store.get('crash/sync')).toBe('{"fatal":true}');
      store.setSync('crash/syncbin', new Uint8Array([0, 255, 10]));
      expect(asBytes(await store.get('crash/syncbin'))).toEqual([0, 255, 10]);
    });
  });
}

/**
 * A small seeded PRNG (mulberry32) for tests that draw random instants or
 * kinds: print the seed, and a failing sample replays with it.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

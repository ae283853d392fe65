/**
 * The IndexedDB Store in real Chromium: the core's Store contract (run from
 * vitest, each call executed by the Store in the page), batching into few
 * transactions, survival across reloads, and degradation to memory when
 * IndexedDB is missing or throwing.
 */
import type { Store, StoreValue } from '@crashfree/core';
import { runStoreContract } from '@crashfree/core/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startPageServer, type PageServer } from './harness.js';

let browser: Browser;
let server: PageServer;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startPageServer('http://key@127.0.0.1:9/1');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// Values cross the page boundary as JSON: bytes travel as number arrays.
type Wire = { s: string } | { b: number[] } | null;
const toWire = (v: StoreValue | undefined): Wire =>
  v === undefined ? null : typeof v === 'string' ? { s: v } : { b: [...v] };
const fromWire = (w: Wire): StoreValue | undefined => (w === null ? undefined : 's' in w ? w.s : new Uint8Array(w.b));

/** Installs helpers in the page: `__stores[name]` created on demand, values (de)serialised. */
async function openStoreHost(page: Page): Promise<void> {
  await page.goto(`${server.origin}/other.html`);
  await page.addScriptTag({ url: '/crashfree.js' });
}

/** A Store whose every call runs in `page` on a `createBrowserStore` instance named `name`. */
function storeInPage(page: Page, name: string): Store {
  const call = async (op: string, args: unknown[]): Promise<unknown> =>
    page.evaluate(
      async ([op, name, args]) => {
        const w = window as unknown as {
          Crashfree: { createBrowserStore(o: object): Record<string, (...a: unknown[]) => Promise<unknown>> };
          __stores?: Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;
        };
        const stores = (w.__stores ??= {});
        const store = (stores[name] ??= w.Crashfree.createBrowserStore({ dbName: `contract-${name}`, batchDelayMs: 5 }));
        const decoded = args.map((a) =>
          a && typeof a === 'object' && 'b' in a ? new Uint8Array((a as { b: number[] }).b) : a && typeof a === 'object' && 's' in a ? (a as { s: string }).s : a,
        );
        const out = await store[op]!(...decoded);
        if (out instanceof Uint8Array) return { b: [...out] };
        if (typeof out === 'string') return { s: out };
        return out ?? null;
      },
      [op, name, args] as const,
    );
  return {
    get: async (key) => fromWire((await call('get', [key])) as Wire),
    set: async (key, value) => void (await call('set', [key, toWire(value)])),
    delete: async (key) => void (await call('delete', [key])),
    keys: async (prefix) => (await call('keys', prefix === undefined ? [] : [prefix])) as string[],
  };
}

describe('IndexedDB store contract (in Chromium)', () => {
  let context: BrowserContext;
  let page: Page;
  let n = 0;
  beforeAll(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await openStoreHost(page);
  });
  afterAll(() => context?.close());
  runStoreContract('createBrowserStore', () => storeInPage(page, `s${++n}`), { describe, it, expect });
});

describe('IndexedDB store behaviour', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await browser.newContext();
  });
  afterAll(() => context?.close());

  it('coalesces writes of one turn into one transaction and keeps them across a reload', async () => {
    const page = await context.newPage();
    // Count readwrite transactions the page opens, from before any script runs.
    await page.addInitScript(() => {
      const w = window as unknown as { __rw: number };
      w.__rw = 0;
      const orig = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<typeof orig>) {
        if (args[1] === 'readwrite') w.__rw += 1;
        return orig.apply(this, args);
      } as typeof orig;
    });
    await openStoreHost(page);
    const result = await page.evaluate(async () => {
      const w = window as unknown as {
        __rw: number;
        Crashfree: { createBrowserStore(o: object): Store };
      };
      const store = w.Crashfree.createBrowserStore({ dbName: 'batch' });
      await store.keys();
      const before = w.__rw;
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) writes.push(store.set(`session/s${i % 10}`, `v${i}`));
      writes.push(store.delete('session/s0'));
      await Promise.all(writes);
      return { transactions: w.__rw - before, keys: await store.keys('session/') };
    });
    expect(result.transactions).toBe(1);
    expect(result.keys).toEqual(['session/s1', 'session/s2', 'session/s3', 'session/s4', 'session/s5', 'session/s6', 'session/s7', 'session/s8', 'session/s9']);

    await page.reload();
    await page.addScriptTag({ url: '/crashfree.js' });
    const after = await page.evaluate(async () => {
      const store = (window as unknown as { Crashfree: { createBrowserStore(o: object): Store } }).Crashfree.createBrowserStore({ dbName: 'batch' });
      return { kind: (store as unknown as { kind(): string }).kind(), s9: await store.get('session/s9'), s0: await store.get('session/s0'), n: (await store.keys()).length };
    });
    expect(after).toEqual({ kind: 'indexeddb', s9: 'v99', s0: undefined, n: 9 });
    await page.close();
  });

  it('answers reads from writes not yet committed, and another store sees them once committed', async () => {
    const page = await context.newPage();
    await openStoreHost(page);
    const got = await page.evaluate(async () => {
      const Crashfree = (window as unknown as { Crashfree: { createBrowserStore(o: object): Store } }).Crashfree;
      const store = Crashfree.createBrowserStore({ dbName: 'pending', batchDelayMs: 300 });
      const other = Crashfree.createBrowserStore({ dbName: 'pending' });
      await store.set('session/old', 'kept');
      const written = store.set('session/new', 'fresh');
      const deleted = store.delete('session/old');
      // Within the batch delay: nothing is committed yet, this store answers from its own writes.
      const pending = { new: await store.get('session/new'), old: (await store.get('session/old')) ?? null, keys: await store.keys('session/') };
      const otherBefore = await other.keys('session/');
      await Promise.all([written, deleted]);
      return { pending, otherBefore, otherAfter: await other.keys('session/'), value: await other.get('session/new') };
    });
    expect(got).toEqual({
      pending: { new: 'fresh', old: null, keys: ['session/new'] },
      otherBefore: ['session/old'],
      otherAfter: ['session/new'],
      value: 'fresh',
    });
    await page.close();
  });

  it('treats a value it did not write (not text, not bytes) as absent', async () => {
    const page = await context.newPage();
    await openStoreHost(page);
    const got = await page.evaluate(async () => {
      const Crashfree = (window as unknown as { Crashfree: { createBrowserStore(o: object): Store } }).Crashfree;
      const store = Crashfree.createBrowserStore({ dbName: 'foreign' });
      await store.set('session/good', 'ok');
      // Something else writes a number under one of our keys.
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('foreign');
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put(42, 'session/bad');
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      });
      const fresh = Crashfree.createBrowserStore({ dbName: 'foreign' });
      return { bad: (await fresh.get('session/bad')) ?? null, good: await fresh.get('session/good') };
    });
    expect(got).toEqual({ bad: null, good: 'ok' });
    await page.close();
  });

  const degradeCases: Array<[string, () => void]> = [
    [
      'indexedDB missing',
      () => {
        Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
      },
    ],
    [
      'open throwing SecurityError',
      () => {
        IDBFactory.prototype.open = () => {
          throw new DOMException('access to IndexedDB is blocked', 'SecurityError');
        };
      },
    ],
    [
      'writes throwing QuotaExceededError',
      () => {
        IDBObjectStore.prototype.put = () => {
          throw new DOMException('quota exceeded', 'QuotaExceededError');
        };
      },
    ],
  ];
  for (const [name, breakIdb] of degradeCases) {
    it(`keeps working in memory with one warning when ${name}`, async () => {
      const page = await context.newPage();
      const warnings: string[] = [];
      page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
      const pageErrors: Error[] = [];
      page.on('pageerror', (e) => pageErrors.push(e));
      await page.addInitScript(breakIdb);
      await openStoreHost(page);
      const out = await page.evaluate(async () => {
        const store = (window as unknown as { Crashfree: { createBrowserStore(o: object): Store & { kind(): string } } }).Crashfree.createBrowserStore({
          dbName: 'broken',
        });
        await store.set('queue/1', 'a');
        await store.set('queue/2', new Uint8Array([1, 2, 3]));
        await store.set('session/x', 'b');
        await store.delete('session/x');
        const bytes = await store.get('queue/2');
        return { kind: store.kind(), keys: await store.keys('queue/'), a: await store.get('queue/1'), bytes: [...(bytes as Uint8Array)] };
      });
      expect(out).toEqual({ kind: 'memory', keys: ['queue/1', 'queue/2'], a: 'a', bytes: [1, 2, 3] });
      expect(warnings.filter((w) => w.includes('[crashfree] IndexedDB is unavailable'))).toHaveLength(1);
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  }
});

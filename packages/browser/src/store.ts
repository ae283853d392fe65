import type { Store, StoreValue } from '@crashfree/core';
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

/** The browser's Store: IndexedDB with batched writes, memory when IndexedDB fails. */
export interface BrowserStore extends Store {
  /** Commits every pending write now; the lifecycle calls it when the page is hidden or goes away. */
  flushWrites(): Promise<void>;
  /**
   * While on (the page is going away), every write is handed to IndexedDB at
   * once and its promise resolves as soon as the commit is requested, so the
   * core's persist-then-send chain reaches the network within the `pagehide`
   * task instead of after event-loop turns the page will not get.
   */
  setUrgent(on: boolean): void;
  /** Where data lives right now: `indexeddb`, or `memory` after a failure (nothing survives a reload). */
  kind(): 'indexeddb' | 'memory';
  /**
   * Writes a tiny text record (a session's start marker) to localStorage at
   * once, under `crashfree:<dbName>:<key>`: the page's only synchronous
   * storage, so the record survives a tab killed before IndexedDB commits.
   * From then on `set` writes that key through to localStorage as well, so
   * the localStorage copy is always the newest and `get` reads it first;
   * `delete` removes both. Bytes, a missing localStorage or a full one fall
   * back to the IndexedDB write (one warning).
   */
  setSync(key: string, value: StoreValue): void;
}

/** Options of `createBrowserStore`. */
export interface BrowserStoreOptions {
  /** IndexedDB database name (one per SDK instance and origin). */
  dbName?: string;
  /**
   * How long writes are gathered before one IndexedDB transaction commits
   * them. Default 0: every write made in one event-loop turn (a burst of
   * captures, a session update and its queued envelope) shares one
   * transaction at the end of that turn. Longer delays save transactions but
   * widen the window in which a tab killed right after a send has not yet
   * recorded that it sent (its next load would then resend).
   */
  batchDelayMs?: number;
  /** How long opening IndexedDB may take before the SDK gives up and keeps data in memory. */
  openTimeoutMs?: number;
}

/** Writes by key; `undefined` is a delete. */
type Writes = Map<string, StoreValue | undefined>;

/**
 * Creates the Store the browser SDK persists sessions and the core's queue in.
 *
 * Writes are small and few: every `set`/`delete` issued within `batchDelayMs`
 * (by default: within the same event-loop turn) is coalesced (last write per
 * key wins) into one IndexedDB transaction, and each promise resolves once
 * that transaction committed. Every write stays in memory until IndexedDB
 * confirms it, so reads always see this page's own writes. If IndexedDB is
 * missing, cannot be opened in time, or throws (private mode, blocked
 * storage, quota), writes stay in memory for the rest of the page: the store
 * warns once and never rejects.
 */
export function createBrowserStore(options: BrowserStoreOptions = {}): BrowserStore {
  // This page's writes IndexedDB has not confirmed (after a failure: every write since). Reads answer from it first.
  const unsaved: Writes = new Map();
  let batch: Writes = new Map();
  let waiters: Array<() => void> = [];
  let degraded = false;
  let urgent = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const degrade = (reason: unknown): void => {
    if (!degraded) console.warn(`[crashfree] IndexedDB is unavailable (${String(reason)}); keeping data in memory only.`);
    degraded = true;
  };

  // Opening can hang forever in some private modes; a probe read bounds it.
  const db: Promise<UseStore | void> = new Promise<UseStore>((resolve, reject) => {
    setTimeout(reject, options.openTimeoutMs ?? 3000, 'no answer in time');
    const use = createStore(options.dbName ?? 'crashfree', 'kv');
    use('readonly', (s) => promisifyRequest(s.count())).then(() => resolve(use), reject);
  }).catch(degrade);

  // Batches are snapshotted synchronously and their transactions created in
  // call order (every commit awaits the same settled promise), so IndexedDB
  // applies them in order.
  const commit = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const ops = batch;
    const done = waiters;
    const issuedOnly = urgent;
    batch = new Map();
    waiters = [];
    try {
      const use = await db;
      if (use && !degraded && ops.size > 0) {
        await use('readwrite', (s) => {
          ops.forEach((v, k) => (v === undefined ? s.delete(k) : s.put(v, k)));
          const tx = s.transaction;
          // Once committed, reads of these keys may go to IndexedDB (unless written again since).
          // A failed commit (quota, abort) leaves the batch where it is: in memory.
          const saved = promisifyRequest(tx).then(() => ops.forEach((v, k) => !degraded && unsaved.get(k) === v && unsaved.delete(k)), degrade);
          if (!issuedOnly) return saved;
          // The page is going away: ask for the commit now and answer without
          // waiting for "complete", which would need an event-loop turn the
          // page may not get. The backend finishes a requested commit.
          tx.commit?.();
          return undefined;
        });
      }
    } catch (e) {
      degrade(e);
    } finally {
      done.forEach((w) => w());
    }
  };

  // localStorage is read on every call rather than cached: other tabs add and remove their records too.
  const ns = `crashfree:${options.dbName ?? 'crashfree'}:`;
  let lsWarned = false;
  /** Runs `op` on localStorage; undefined (and one warning) when it is missing, blocked or full. */
  const ls = (op: (l: Storage) => unknown): unknown => {
    try {
      return op(localStorage);
    } catch (e) {
      if (!lsWarned) console.warn(`[crashfree] no localStorage (${e})`);
      lsWarned = true;
    }
  };
  /** Writes through to localStorage when `key` has a record there (or `force`); removes it for a delete or bytes. */
  const mirror = (key: string, value: StoreValue | undefined, force?: boolean): unknown =>
    ls((l) => {
      key = ns + key;
      if (typeof value != 'string') return l.removeItem(key);
      try {
        if (force || l.getItem(key) !== null) l.setItem(key, value);
        return 1;
      } catch (e) {
        // Full: a stale copy must not outlive the newer IndexedDB value.
        l.removeItem(key);
        throw e;
      }
    });

  const write = (key: string, value: StoreValue | undefined): Promise<void> => {
    mirror(key, value);
    unsaved.set(key, value);
    if (degraded) return Promise.resolve();
    batch.set(key, value);
    const written = new Promise<void>((resolve) => waiters.push(resolve));
    if (urgent) void commit();
    else timer ??= setTimeout(commit, options.batchDelayMs ?? 0);
    return written;
  };

  // What IndexedDB answers; nothing when it cannot be opened (then `unsaved` holds every write of this page).
  // After a failed write (quota) reads still go to it: what was committed before stays readable.
  const read = async <T>(query: (s: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> => {
    const use = await db;
    try {
      return use ? await use('readonly', (s) => promisifyRequest(query(s))) : undefined;
    } catch (e) {
      degrade(e);
      return undefined;
    }
  };

  return {
    kind: () => (degraded ? 'memory' : 'indexeddb'),
    flushWrites: commit,
    setUrgent(on) {
      urgent = on;
      if (on) void commit();
    },
    set: write,
    // A failed mirror leaves the record to the IndexedDB write.
    setSync: (key, value) => void (mirror(key, value, true) || write(key, value)),
    delete: (key) => write(key, undefined),
    async get(key) {
      const marker = ls((l) => l.getItem(ns + key));
      const v: unknown = typeof marker === 'string' ? marker : unsaved.has(key) ? unsaved.get(key) : await read((s) => s.get(key));
      // Anything else under our key was not written by us: treat it as absent.
      return typeof v === 'string' || v instanceof Uint8Array ? v : undefined;
    },
    async keys(prefix = '') {
      // Taken before reading: a write confirmed meanwhile is in what IndexedDB answers.
      const mine = [...unsaved].filter(([k]) => k.startsWith(prefix));
      const all = new Set((await read((s) => s.getAllKeys(IDBKeyRange.bound(prefix, `${prefix}\uffff`)))) ?? []);
      for (const [k, v] of mine) v === undefined ? all.delete(k) : all.add(k);
      ls((l) => {
        for (const k of Object.keys(l)) if (k.startsWith(ns + prefix)) all.add(k.slice(ns.length));
      });
      // A string range holds string keys only.
      return ([...all] as string[]).sort();
    },
  };
}

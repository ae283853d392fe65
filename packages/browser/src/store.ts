import type { Store, StoreValue } from '@crashfree/core';
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { createMemoryStore } from '@crashfree/core/lite';

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
  logger?: Pick<Console, 'warn'>;
}

const DELETED = Symbol('deleted');
type Pending = Map<string, StoreValue | typeof DELETED>;

function isStoreValue(v: unknown): v is StoreValue {
  return typeof v === 'string' || v instanceof Uint8Array;
}

function describe(e: unknown): string {
  if (e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException)) return `${e.name}: ${e.message}`;
  return String(e);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/**
 * Creates the Store the browser SDK persists sessions and the core's queue in.
 *
 * Writes are small and few: every `set`/`delete` issued within `batchDelayMs`
 * (by default: within the same event-loop turn) is coalesced (last write per
 * key wins) into one IndexedDB transaction, and each promise resolves once
 * that transaction committed. Reads see pending writes. If IndexedDB is missing, cannot be opened in time, or throws
 * (private mode, blocked storage, quota), the store switches to memory for
 * the rest of the page, warns once, and never rejects.
 */
export function createBrowserStore(options: BrowserStoreOptions = {}): BrowserStore {
  const batchDelayMs = options.batchDelayMs ?? 0;
  const logger = options.logger ?? console;
  const memory = createMemoryStore();
  let degraded = false;
  let urgent = false;
  let pending: Pending = new Map();
  // Batches handed to IndexedDB whose transaction has not completed; reads must see them.
  let inflight: Pending[] = [];
  let waiters: Array<() => void> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const degrade = (reason: unknown): void => {
    if (degraded) return;
    degraded = true;
    logger.warn(
      `[crashfree] IndexedDB is unavailable (${describe(reason)}); keeping sessions and queued envelopes in memory for this page only.`,
    );
  };

  const db: Promise<UseStore | undefined> = (async () => {
    try {
      if (typeof indexedDB === 'undefined') throw new Error('indexedDB is not defined');
      const use = createStore(options.dbName ?? 'crashfree', 'kv');
      // Opening can hang forever in some private modes; a probe read bounds it.
      await withTimeout(use('readonly', (s) => promisifyRequest(s.count())), options.openTimeoutMs ?? 3000, 'IndexedDB');
      return use;
    } catch (e) {
      degrade(e);
      return undefined;
    }
  })();

  const applyToMemory = async (ops: Pending): Promise<void> => {
    for (const [k, v] of ops) await (v === DELETED ? memory.delete(k) : memory.set(k, v));
  };

  // Batches are snapshotted synchronously and their transactions created in
  // call order (every commit awaits the same settled promise), so IndexedDB
  // applies them in order without a chain that would add event-loop turns.
  const commit = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const ops = pending;
    const done = waiters;
    const issuedOnly = urgent;
    pending = new Map();
    waiters = [];
    if (ops.size === 0) return done.forEach((w) => w());
    inflight.push(ops);
    const settle = (): void => {
      inflight = inflight.filter((b) => b !== ops);
    };
    const use = await db;
    try {
      if (!use || degraded) throw undefined;
      await use('readwrite', (s) => {
        for (const [k, v] of ops) v === DELETED ? s.delete(k) : s.put(v, k);
        const tx = s.transaction;
        const completed = promisifyRequest(tx).then(settle, (e: unknown) => {
          // The commit failed (quota, abort): the batch lives on in memory.
          settle();
          degrade(e);
          return applyToMemory(ops);
        });
        if (!issuedOnly) return completed;
        // The page is going away: ask for the commit now and answer without
        // waiting for "complete", which would need an event-loop turn the
        // page may not get. The backend finishes a requested commit.
        tx.commit?.();
        return undefined;
      });
    } catch (e) {
      if (e !== undefined) degrade(e);
      await applyToMemory(ops);
      settle();
    } finally {
      done.forEach((w) => w());
    }
  };

  const flushWrites = (): Promise<void> => commit();

  const write = (key: string, value: StoreValue | typeof DELETED): Promise<void> => {
    if (degraded) return value === DELETED ? memory.delete(key) : memory.set(key, value);
    pending.set(key, value);
    const written = new Promise<void>((resolve) => waiters.push(resolve));
    if (urgent) void commit();
    else if (timer === undefined) timer = setTimeout(() => void commit(), batchDelayMs);
    return written;
  };

  const overlay = (key: string): StoreValue | typeof DELETED | undefined => {
    if (pending.has(key)) return pending.get(key);
    for (let i = inflight.length - 1; i >= 0; i--) if (inflight[i]!.has(key)) return inflight[i]!.get(key);
    return undefined;
  };

  const readIdb = async <T>(fallback: () => Promise<T>, read: (s: IDBObjectStore) => Promise<T>): Promise<T> => {
    const use = await db;
    if (!use || degraded) return fallback();
    try {
      return await use('readonly', read);
    } catch (e) {
      degrade(e);
      return fallback();
    }
  };

  return {
    kind: () => (degraded ? 'memory' : 'indexeddb'),
    flushWrites,
    setUrgent(on) {
      urgent = on;
      if (on) void commit();
    },
    set: (key, value) => write(key, value),
    delete: (key) => write(key, DELETED),
    async get(key) {
      const o = overlay(key);
      if (o !== undefined) return o === DELETED ? undefined : o;
      const v = await readIdb<unknown>(
        () => memory.get(key),
        (s) => promisifyRequest(s.get(key)),
      );
      // Anything else under our key was not written by us: treat it as absent.
      return isStoreValue(v) ? v : undefined;
    },
    async keys(prefix = '') {
      const range = prefix ? IDBKeyRange.bound(prefix, `${prefix}\uffff`) : undefined;
      const stored = await readIdb<IDBValidKey[]>(
        () => memory.keys(prefix),
        (s) => promisifyRequest(s.getAllKeys(range)),
      );
      const all = new Set(stored.filter((k): k is string => typeof k === 'string'));
      for (const ops of [...inflight, pending]) {
        for (const [k, v] of ops) {
          if (!k.startsWith(prefix)) continue;
          v === DELETED ? all.delete(k) : all.add(k);
        }
      }
      return [...all].sort();
    },
  };
}

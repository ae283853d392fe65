import type { Liveness, OwnerMarker, Store } from '@crashfree/core';

/** Liveness of a page, plus taking its own. */
export interface BrowserLiveness extends Liveness {
  /**
   * Takes this page's own lock, or starts its heartbeat, for the rest of its
   * life (the back/forward cache included); called before anything is
   * persisted, once. Resolves once held, so no other tab can see a session
   * of this page as dead.
   */
  hold(): Promise<void>;
}

const LOCK_PREFIX = 'crashfree-run-';
const HEARTBEAT_PREFIX = 'liveness/';

/** Options of `createLiveness`. */
export interface LivenessOptions {
  /** The id of this page load, unique per load. */
  runId: string;
  /** Where the heartbeat fallback keeps its timestamps. */
  store: Store;
  /** Heartbeat period where Web Locks are missing. */
  heartbeatMs?: number;
}

/**
 * Tells whether the tab that owned a persisted session is still alive.
 *
 * With Web Locks each page load holds an exclusive lock named after its run id
 * for as long as it lives; the browser releases it when the tab closes, is
 * killed or crashes. A persisted session is dead when its lock can be taken.
 * To make recovery happen exactly once across tabs that load at the same
 * time, the tab that finds a dead owner keeps that owner's lock: every other
 * tab then sees the owner as alive and leaves the session alone. If the
 * recovering tab dies before delivery, the lock is freed again and the next
 * load retries.
 *
 * Without Web Locks a heartbeat timestamp in the store stands in for the
 * lock: an owner is dead when its heartbeat is older than three periods
 * (background tabs throttle timers, so the bound is generous).
 *
 * The owner marker is `{ run }`: a browser either has Web Locks or not, so
 * the run id alone names the lock or the heartbeat to look at, and
 * `isAlive({ run })` asks about any page load by its id.
 */
export function createLiveness(options: LivenessOptions): BrowserLiveness {
  const { runId, store, heartbeatMs = 30_000 } = options;
  // Missing in old browsers and outside secure contexts.
  const locks = navigator.locks as LockManager | undefined;
  // Locks of dead owners this page took: their owners stay dead for every later question.
  const claimed = new Set<string>();

  // Takes `name` if free and keeps it for the rest of the page's life (the browser frees it
  // when the page is gone). Resolves whether it was taken.
  const holdLock = (name: string): Promise<boolean> =>
    new Promise((answered) => {
      locks!
        .request(name, { ifAvailable: true }, (lock) => {
          answered(lock !== null);
          return lock && new Promise<void>(() => undefined);
        })
        .catch(() => answered(false));
    });

  // A missing or unreadable heartbeat is NaN: never fresh.
  const isFresh = (value: unknown): boolean => Date.now() - Number(value) < 3 * heartbeatMs;

  // A stale heartbeat and a missing one both mean "dead", so stale ones (tabs that closed
  // cleanly leave theirs behind) can go without changing any answer.
  const sweep = async (): Promise<void> => {
    for (const key of await store.keys(HEARTBEAT_PREFIX)) if (!isFresh(await store.get(key))) await store.delete(key);
  };

  const writeBeat = (): Promise<void> => store.set(HEARTBEAT_PREFIX + runId, String(Date.now()));

  return {
    owner: (): OwnerMarker => ({ run: runId }),
    async hold() {
      if (locks) await holdLock(LOCK_PREFIX + runId);
      else {
        // The first beat is synchronous, before this page's start marker: a tab that sees the marker sees the beat.
        store.setSync?.(HEARTBEAT_PREFIX + runId, String(Date.now()));
        setInterval(() => void writeBeat().catch(() => undefined), heartbeatMs);
        // Housekeeping only: a failure changes no answer.
        await Promise.all([writeBeat(), sweep()]).catch(() => undefined);
      }
    },
    async isAlive({ run }) {
      if (run === runId) return true;
      // A marker this SDK never wrote cannot have a live owner.
      if (typeof run !== 'string') return false;
      if (locks) {
        const lock = LOCK_PREFIX + run;
        if (claimed.has(lock)) return false;
        if (!(await holdLock(lock))) return true;
        claimed.add(lock);
        return false;
      }
      const key = HEARTBEAT_PREFIX + run;
      if (isFresh(await store.get(key))) return true;
      await store.delete(key);
      return false;
    },
  };
}

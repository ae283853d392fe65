import type { BrowserLiveness } from './liveness.js';
import type { BrowserStore } from './store.js';

/** The part of the crashfree client the page lifecycle drives. */
export interface LifecycleClient {
  startSession(): void;
  endSession(status?: 'exited'): void;
  /** Ends the queue's backoff and sends what waits (rate limits still hold). */
  retryNow(): Promise<void>;
  /** While the page goes away, queued envelopes leave at once instead of one after another. */
  setUrgent(on: boolean): void;
}

/** Options of `installLifecycle`. */
export interface LifecycleOptions {
  client: LifecycleClient;
  store: BrowserStore;
  liveness: BrowserLiveness;
  /** Start a new session on history-API navigations that change the path. */
  newSessionOnNavigation: boolean;
  /** Told whether the page is going away, so requests switch to keepalive/beacon behaviour. */
  setUnloading(unloading: boolean): void;
}

/**
 * Ties the application session to the page's life:
 * - `pagehide` (navigation, close, or entering the back/forward cache) ends
 *   the session `exited`, with the store in urgent mode so that the update is
 *   persisted and handed to a keepalive request within the `pagehide` task
 *   (later turns may never come). The tab's lock is kept, also into the
 *   bfcache: a cached page is not dead, and if another tab took its lock it
 *   would adopt the page's queue and the restored page could not hold its
 *   lock again (Chromium restores pages holding a lock; it evicts them when
 *   the browser needs to);
 * - `pageshow` with `persisted` (restored from the bfcache) starts a fresh
 *   session (and re-takes the lock or heartbeat if it was lost);
 * - `visibilitychange` to hidden commits pending writes, since a hidden tab
 *   may be discarded without any further event;
 * - `online` ends the core's backoff (`retryNow`): envelopes that failed
 *   while offline go out at once instead of when the backoff timer fires.
 *   Not a flush: no client report is queued, and rate limits still hold;
 * - history-API navigations start a new session only when configured.
 * Returns a function that removes every listener and restores `history`.
 */
export function installLifecycle(options: LifecycleOptions): () => void {
  const { client, store, liveness, setUnloading } = options;
  const cleanups: Array<() => void> = [];
  const on = <K extends keyof WindowEventMap | 'visibilitychange'>(
    type: K,
    fn: (e: K extends keyof WindowEventMap ? WindowEventMap[K] : Event) => void,
    target: Window | Document = window,
  ): void => {
    const safe = (e: Event): void => {
      try {
        fn(e as K extends keyof WindowEventMap ? WindowEventMap[K] : Event);
      } catch {
        // The lifecycle must never break the page; the worst case is a session recovered as abnormal.
      }
    };
    target.addEventListener(type, safe);
    cleanups.push(() => target.removeEventListener(type, safe));
  };

  on('pagehide', () => {
    setUnloading(true);
    // Urgent before ending: the exited update must be persisted and sent within this task.
    store.setUrgent(true);
    // A request still in flight must not hold the exited update back: the page may be gone before its answer.
    client.setUrgent(true);
    client.endSession('exited');
  });
  on('pageshow', (e) => {
    if (!e.persisted) return;
    setUnloading(false);
    store.setUrgent(false);
    client.setUrgent(false);
    void liveness.hold().then(() => client.startSession());
  });
  on('online', () => void client.retryNow().catch(() => undefined));
  on(
    'visibilitychange',
    () => {
      if (document.visibilityState === 'hidden') void store.flushWrites();
    },
    document,
  );

  if (options.newSessionOnNavigation) cleanups.push(watchNavigations(() => client.startSession()));
  return () => cleanups.forEach((c) => c());
}

/** Calls `onNewPath` when pushState/replaceState/popstate change the location's path. */
function watchNavigations(onNewPath: () => void): () => void {
  let path = location.pathname;
  const check = (): void => {
    if (location.pathname === path) return;
    path = location.pathname;
    onNewPath();
  };
  const { pushState, replaceState } = history;
  history.pushState = function (...args: Parameters<History['pushState']>) {
    pushState.apply(this, args);
    check();
  };
  history.replaceState = function (...args: Parameters<History['replaceState']>) {
    replaceState.apply(this, args);
    check();
  };
  addEventListener('popstate', check);
  return () => {
    history.pushState = pushState;
    history.replaceState = replaceState;
    removeEventListener('popstate', check);
  };
}

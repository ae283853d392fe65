import { listen } from './listen.js';
import type { BrowserStore } from './store.js';

/** The part of the crashfree client the page lifecycle drives. */
export interface LifecycleClient {
  startSession(): void;
  endSession(status?: 'exited'): void;
  /** Ends the queue's backoff and sends what waits (rate limits still hold); never rejects. */
  retryNow(): Promise<void>;
  /** While the page goes away, queued envelopes leave at once instead of one after another. */
  setUrgent(on: boolean): void;
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
 *   session (the page kept its lock, or its heartbeat timer, while cached);
 * - `visibilitychange` to hidden commits pending writes, since a hidden tab
 *   may be discarded without any further event;
 * - `online` ends the core's backoff (`retryNow`): envelopes that failed
 *   while offline go out at once instead of when the backoff timer fires.
 *   Not a flush: no client report is queued, and rate limits still hold;
 * - history-API navigations are not this file's: see `navigationSessionsIntegration`.
 * `setUnloading` is told whether the page is going away, so requests switch
 * to keepalive/beacon behaviour. The listeners stay for the page's life: a
 * closed client ignores them.
 */
export function installLifecycle(client: LifecycleClient, store: BrowserStore, setUnloading: (unloading: boolean) => void): void {
  // Going away (or back from the bfcache): requests switch to keepalive/beacon behaviour, the store
  // hands writes over at once, and a request still in flight does not hold the others back.
  const unloading = (on: boolean): void => {
    setUnloading(on);
    store.setUrgent(on);
    client.setUrgent(on);
  };

  listen('pagehide', () => {
    // Urgent before ending: the exited update must be persisted and sent within this task.
    unloading(true);
    client.endSession('exited');
  });
  listen<PageTransitionEvent>('pageshow', (e) => {
    if (!e.persisted) return;
    unloading(false);
    client.startSession();
  });
  listen('online', () => void client.retryNow());
  // Fired at the document; it bubbles to the window.
  listen('visibilitychange', () => document.visibilityState === 'hidden' && void store.flushWrites());

}

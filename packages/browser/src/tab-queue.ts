import type { Store } from '@crashfree/core';

const TABS = 'tab/';

/**
 * The core queue's key prefix for page load `runId`: `tab/<runId>/queue/`.
 * Tabs of one origin share the IndexedDB database, but the core's durable
 * queue assumes it owns every key under its prefix: two tabs loading the same
 * entries would both send them. So each page load queues under its own
 * prefix; everything else (sessions, heartbeats) stays shared, because
 * recovery must see other tabs' sessions. Entries of tabs that died are
 * taken over by `adoptOrphanQueues`.
 */
export const tabQueuePrefix = (runId: string): string => `${TABS}${runId}/queue/`;

/**
 * Moves the queued envelopes of page loads that are gone into this page's
 * queue, before the core loads it, so they are sent by exactly one tab.
 * `isDead(runId)` must claim the dead run (Web Locks: hold its lock) so no
 * other tab adopts the same entries; it is asked once per run. Each entry
 * moves in one IndexedDB transaction (set and delete are issued together and
 * batched).
 */
export async function adoptOrphanQueues(store: Store, runId: string, isDead: (runId: string) => Promise<boolean>): Promise<void> {
  // Each run is asked once: its answer (and its claim) covers all of its entries.
  const dead: Record<string, Promise<boolean>> = {};
  for (const key of await store.keys(TABS)) {
    // `tab/<run>/queue/<entry>`
    const [, run = '', ...rest] = key.split('/');
    if (run === runId || !(await (dead[run] ??= isDead(run)))) continue;
    const value = await store.get(key);
    await Promise.all([value !== undefined && store.set(`${TABS}${runId}/${rest.join('/')}`, value), store.delete(key)]);
  }
}

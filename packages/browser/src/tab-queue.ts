import type { BrowserStore } from './store.js';

const QUEUE = 'queue/';
const TABS = 'tab/';

/**
 * Gives each page load its own view of the core's queue inside the shared
 * IndexedDB database. Tabs of one origin share the database, but the core's
 * durable queue assumes it owns every `queue/` entry: two tabs loading the
 * same entries would both send them. So `queue/...` keys of this page live
 * under `tab/<runId>/queue/...`; everything else (sessions, heartbeats)
 * stays shared, because recovery must see other tabs' sessions. Listing a
 * prefix that is not under `queue/` leaves out every tab's queue (the core
 * lists its queue by its own prefix). Entries of tabs that died are taken
 * over by `adoptOrphanQueues`.
 */
export function scopeQueueToTab(base: BrowserStore, runId: string): BrowserStore {
  const mine = `${TABS}${runId}/`;
  const map = (key: string): string => (key.startsWith(QUEUE) ? mine + key : key);
  return {
    ...base,
    get: (key) => base.get(map(key)),
    set: (key, value) => base.set(map(key), value),
    delete: (key) => base.delete(map(key)),
    async keys(prefix = '') {
      const own = map(prefix) !== prefix;
      return (await base.keys(map(prefix))).flatMap((k) => (own ? [k.slice(mine.length)] : k.startsWith(TABS) ? [] : [k]));
    },
  };
}

/**
 * Moves the queued envelopes of page loads that are gone into this page's
 * queue, before the core loads it, so they are sent by exactly one tab.
 * `isDead(runId)` must claim the dead run (Web Locks: hold its lock) so no
 * other tab adopts the same entries; it is asked once per run. Each entry
 * moves in one IndexedDB transaction (set and delete are issued together and
 * batched).
 */
export async function adoptOrphanQueues(base: BrowserStore, runId: string, isDead: (runId: string) => Promise<boolean>): Promise<void> {
  const dead = new Map<string, Promise<boolean>>();
  for (const key of await base.keys(TABS)) {
    // `tab/<run>/<queue key>`
    const [, run = '', ...rest] = key.split('/');
    if (run === runId) continue;
    if (!dead.has(run)) dead.set(run, isDead(run));
    if (!(await dead.get(run))) continue;
    const value = await base.get(key);
    await Promise.all([value !== undefined && base.set(`${TABS}${runId}/${rest.join('/')}`, value), base.delete(key)]);
  }
}

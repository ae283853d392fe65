import type { BrowserStore } from './store.js';

const QUEUE = 'queue/';
const TABS = 'tab/';

/**
 * Gives each page load its own view of the core's queue inside the shared
 * IndexedDB database. Tabs of one origin share the database, but the core's
 * durable queue assumes it owns every `queue/` entry: two tabs loading the
 * same entries would both send them. So `queue/...` keys of this page live
 * under `tab/<runId>/queue/...`; everything else (sessions, crash records,
 * heartbeats) stays shared, because recovery must see other tabs' sessions.
 * Entries of tabs that died are taken over by `adoptOrphanQueues`.
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
      if (prefix.startsWith(QUEUE)) return (await base.keys(mine + prefix)).map((k) => k.slice(mine.length));
      const shared = (await base.keys(prefix)).filter((k) => !k.startsWith(TABS));
      if (!QUEUE.startsWith(prefix)) return shared;
      const own = (await base.keys(mine + QUEUE)).map((k) => k.slice(mine.length));
      return [...shared, ...own].sort();
    },
  };
}

/**
 * Moves the queued envelopes of page loads that are gone into this page's
 * queue, before the core loads it, so they are sent by exactly one tab.
 * `isDead(runId)` must claim the dead run (Web Locks: hold its lock) so no
 * other tab adopts the same entries. Each entry moves in one IndexedDB
 * transaction (set and delete are issued together and batched). Returns how
 * many entries were adopted.
 */
export async function adoptOrphanQueues(base: BrowserStore, runId: string, isDead: (runId: string) => Promise<boolean>): Promise<number> {
  const byRun = new Map<string, string[]>();
  for (const key of await base.keys(TABS)) {
    const run = key.slice(TABS.length).split('/', 1)[0] ?? '';
    if (run === runId || run === '') continue;
    byRun.set(run, [...(byRun.get(run) ?? []), key]);
  }
  let adopted = 0;
  for (const [run, keys] of byRun) {
    if (!(await isDead(run))) continue;
    for (const key of keys) {
      const value = await base.get(key);
      const rest = key.slice(`${TABS}${run}/`.length);
      await Promise.all(value === undefined ? [base.delete(key)] : [base.set(`${TABS}${runId}/${rest}`, value), base.delete(key)]);
      if (value !== undefined) adopted += 1;
    }
  }
  return adopted;
}

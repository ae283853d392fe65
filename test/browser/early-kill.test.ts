/**
 * Death at any instant, in Chromium: page loads killed at uniformly random
 * instants 0–300 ms after `init()` returned (CDP `Page.crash`, or the page
 * closed), or right after DOMContentLoaded, each followed by the next load of
 * the same origin (same IndexedDB, localStorage and Web Locks). What the real
 * collector on loopback counted must equal the harness's own ledger of the
 * loads that ran `init`: 0 lost, 0 duplicated, 0 without `did`.
 *
 * CI runs a modest sample; `CRASHFREE_BROWSER_KILL_RUNS=300` (and
 * `CRASHFREE_BROWSER_KILL_SEED`) runs more: `pnpm exec vitest run
 * test/browser/early-kill.test.ts`.
 */
import type { Collector } from '@crashfree/collector';
import { seededRandom as random } from '@crashfree/core/testing';
import { sessionsOf as storedSessions } from '../scenarios/node-kill/harness.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { usePageSetup, waitFor, type PageServer, type SessionUpdate } from './harness.js';

const RUNS = Number(process.env.CRASHFREE_BROWSER_KILL_RUNS ?? 36);
const SEED = Number(process.env.CRASHFREE_BROWSER_KILL_SEED ?? Date.now() % 100_000);

let browser: Browser;
let collector: Collector;
let server: PageServer;

usePageSetup((s) => ({ browser, collector, server } = s));

/** How a load dies: crashed at a random instant, crashed right after DOMContentLoaded, or closed at a random instant. */
type Kind = 'crash' | 'dcl' | 'close';

/** One load that ran `init` (and `setUser`): what the collector must count. */
interface Entry {
  did: string;
  kind: Kind;
  delayMs: number;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function updates(release: string): SessionUpdate[] {
  return collector
    .items({ type: 'session' })
    .map((i) => i.payload as SessionUpdate)
    .filter((s) => s.attrs?.release === release);
}


async function api(release: string): Promise<Record<string, number>> {
  const q = `field=sum(session)&field=count_unique(user)&groupBy=session.status&query=${encodeURIComponent(`release:${release}`)}&statsPeriod=1h`;
  const res = await fetch(`${collector.url}/api/0/organizations/acme/sessions/?${q}`, { headers: { Authorization: `Bearer ${collector.token}` } });
  const body = (await res.json()) as { groups: Array<{ by: Record<string, string>; totals: Record<string, number> }> };
  const out: Record<string, number> = {};
  for (const g of body.groups) {
    out[g.by['session.status']!] = g.totals['sum(session)']!;
    out[`users:${g.by['session.status']}`] = g.totals['count_unique(user)']!;
  }
  return out;
}

/**
 * Loads the app in `context` with user `did` and kills the load as `kind`
 * says; resolves whether `init` ran (the page called back), i.e. whether the
 * load belongs in the ledger.
 */
async function killedLoad(context: BrowserContext, url: string, kind: Kind, delayMs: number, inited: Map<Page, () => void>): Promise<boolean> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  let ran = false;
  const initDone = new Promise<void>((resolve) =>
    inited.set(page, () => {
      ran = true;
      resolve();
    }),
  );
  const dcl = new Promise<void>((resolve) => page.once('domcontentloaded', () => resolve()));
  const crashed = page.waitForEvent('crash', { timeout: 15_000 }).catch(() => undefined);
  const loading = page.goto(url, { waitUntil: 'commit' }).catch(() => undefined);
  await Promise.race([initDone, sleep(10_000)]);
  if (kind === 'dcl') await Promise.race([dcl, sleep(10_000)]);
  else await sleep(delayMs);
  if (kind === 'close') {
    await page.close({ runBeforeUnload: false });
  } else {
    // The command never answers: the renderer is gone before it can.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    await page.close().catch(() => undefined);
  }
  await loading;
  inited.delete(page);
  return ran;
}

describe('death at any instant after init (Chromium)', () => {
  it(`${RUNS} loads killed 0–300 ms after init or right after DOMContentLoaded: every one counted once, with its did (seed ${SEED})`, async () => {
    const release = `web@kill-${SEED}`;
    const rand = random(SEED);
    const context = await browser.newContext();
    const inited = new Map<Page, () => void>();
    // What the SDK warned about in any load (IndexedDB degraded, start failed): printed with the summary.
    const warnings = new Set<string>();
    context.on('console', (m) => void (m.type() === 'warning' || m.type() === 'error' ? warnings.add(m.text().slice(0, 200)) : undefined));
    await context.exposeBinding('__crashfreeInited', ({ page }) => inited.get(page)?.());
    const ledger: Entry[] = [];
    const appUrl = (did: string, userAt: string): string =>
      `${server.origin}/app.html?opts=${encodeURIComponent(JSON.stringify({ release }))}&user=${encodeURIComponent(JSON.stringify({ id: did }))}&userAt=${userAt}`;
    const kinds: Kind[] = ['crash', 'crash', 'dcl', 'close'];
    for (let i = 0; i < RUNS; i++) {
      const kind = kinds[i % kinds.length]!;
      const delayMs = kind === 'dcl' ? 0 : Math.floor(rand() * 301);
      const did = `user-${i}`;
      // Half the loads set the user before init, half right after it.
      if (await killedLoad(context, appUrl(did, i % 2 === 0 ? 'after' : 'before'), kind, delayMs, inited)) ledger.push({ did, kind, delayMs });
    }
    // One clean load recovers what the last killed one left, and leaves once its own session is live: a page
    // that goes away before its first IndexedDB commit is counted by the next load (none follows here).
    const last = await context.newPage();
    await last.goto(appUrl('user-final', 'after'));
    ledger.push({ did: 'user-final', kind: 'close', delayMs: -1 });
    const settled = (): boolean => {
      const byDid = new Map<string, string>();
      for (const s of storedSessions(collector, release).values()) for (const d of s.dids) byDid.set(d, s.status);
      return ledger.every((e) => (e.did === 'user-final' ? byDid.has(e.did) : byDid.has(e.did) && byDid.get(e.did) !== 'ok'));
    };
    await waitFor(settled, (done) => done, 30_000);
    await last.goto(`${server.origin}/other.html`);
    await waitFor(() => [...storedSessions(collector, release).values()].filter((s) => s.dids.has('user-final') && s.status !== 'ok').length, (n) => n === 1, 10_000);
    await context.close();

    const sessions = storedSessions(collector, release);
    const sidsOf = (did: string): string[] => [...sessions].filter(([, s]) => s.dids.has(did)).map(([sid]) => sid);
    const lost = ledger.filter((e) => sidsOf(e.did).length === 0);
    const duplicated = ledger.filter((e) => sidsOf(e.did).length > 1);
    const withoutDid = [...sessions].filter(([, s]) => s.dids.size === 0).map(([sid]) => sid);
    const doubleInit = [...sessions]
      .filter(([, s]) => s.inits.size !== 1)
      .map(([sid, s]) => `${sid} ${[...s.dids].join(',')}: ${updates(release).filter((u) => u.sid === sid).map((u) => `${u.status}${u.init === true ? '+init' : ''}@${u.seq ?? 0}`).join(' ')}`);
    const wrongStatus = ledger.filter((e) => {
      const [sid] = sidsOf(e.did);
      const status = sid === undefined ? undefined : sessions.get(sid)!.status;
      // A crashed tab can have said nothing more: abnormal. A closed page ran pagehide: exited, or abnormal when
      // it closed while its first IndexedDB commit was still pending (the exited update waits behind it).
      return sid !== undefined && !(e.kind === 'close' ? ['exited', 'abnormal'] : ['abnormal']).includes(status!);
    });
    const summary = {
      ledger: ledger.length,
      sessions: sessions.size,
      lost: lost.map((e) => `${e.did} ${e.kind} ${e.delayMs}ms`),
      duplicated: duplicated.map((e) => e.did),
      withoutDid,
      doubleInit,
      wrongStatus: wrongStatus.map((e) => `${e.did} ${e.kind} ${e.delayMs}ms: ${sessions.get(sidsOf(e.did)[0]!)!.status}`),
    };
    console.log(`[early-kill] seed ${SEED}: ${JSON.stringify(summary)}; page warnings: ${JSON.stringify([...warnings])}`);
    expect(ledger.length, 'loads that ran init').toBeGreaterThan(RUNS * 0.9);
    expect(summary).toMatchObject({ lost: [], duplicated: [], withoutDid: [], doubleInit: [], wrongStatus: [], sessions: ledger.length });

    // The release-health API agrees with the ledger, per status and in users.
    const abnormal = ledger.filter((e) => sessions.get(sidsOf(e.did)[0]!)!.status === 'abnormal').length;
    console.log(`[early-kill] closed pages counted abnormal: ${abnormal - ledger.filter((e) => e.kind !== 'close').length} of ${ledger.filter((e) => e.kind === 'close').length}`);
    const totals = await api(release);
    expect(totals).toMatchObject({ abnormal, 'users:abnormal': abnormal, healthy: ledger.length - abnormal, 'users:healthy': ledger.length - abnormal });
  });
});

/**
 * Page sessions end to end: real Chromium loads pages using the built IIFE
 * bundle, a real collector on loopback receives. Each scenario has its own
 * browser context (its own IndexedDB and Web Locks, surviving page reloads
 * and tab crashes within it) and its own release, so scenarios never read
 * each other's sessions.
 */
import type { Collector } from '@crashfree/collector';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  recordEnvelopes,
  sentSessionUpdates,
  startSwitchableProxy,
  waitFor,
  type PageServer,
  type SessionUpdate,
  usePageSetup,
} from './harness.js';

let browser: Browser;
let collector: Collector;
let server: PageServer;

usePageSetup((s) => ({ browser, collector, server } = s));

const appUrl = (release: string, opts: Record<string, unknown> = {}): string =>
  `${server.origin}/app.html?opts=${encodeURIComponent(JSON.stringify({ release, ...opts }))}`;

/** Session updates the collector stored for `release`, in arrival order. */
function updates(release: string): SessionUpdate[] {
  return collector
    .items({ type: 'session' })
    .map((i) => i.payload as SessionUpdate)
    .filter((s) => s.attrs?.release === release);
}

/** Waits for the first session of `release` the collector saw start; returns its sid. */
async function waitForInit(release: string, already: string[] = []): Promise<string> {
  const inits = await waitFor(
    () => updates(release).filter((u) => u.init === true && !already.includes(u.sid)),
    (l) => l.length > 0,
  );
  expect(inits.length, `a session of ${release} started`).toBeGreaterThan(0);
  return inits[0]!.sid;
}

/** The last update of `sid` once `done` accepts it (bounded wait). */
async function waitForUpdate(release: string, sid: string, done: (u: SessionUpdate) => boolean): Promise<SessionUpdate | undefined> {
  const list = await waitFor(
    () => updates(release).filter((u) => u.sid === sid),
    (l) => l.some(done),
  );
  return list.find(done) ?? list.at(-1);
}

function eventsOf(release: string): Array<Record<string, any>> {
  return collector
    .items({ type: 'event' })
    .map((i) => i.payload as Record<string, any>)
    .filter((e) => e.release === release);
}

async function crashTab(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  const crashed = page.waitForEvent('crash');
  // The command never answers: the renderer is gone before it can.
  void cdp.send('Page.crash').catch(() => undefined);
  await crashed;
}

describe('page sessions in Chromium', () => {
  it('a wrong option: one console.error naming it, a disabled SDK, a page that keeps working', async () => {
    const release = 'web@bad-option';
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    const pageErrors: Error[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => pageErrors.push(e));
    await page.goto(appUrl(release, { heartbeatMs: 'often', sampleRate: 2 }));
    expect(await page.evaluate(() => (window as any).client.isEnabled())).toBe(false);
    await page.evaluate(() => (window as any).Crashfree.captureException(new Error('ignored')));
    await page.waitForTimeout(300);
    expect(errors.filter((e) => e.includes('[crashfree]'))).toEqual([
      '[crashfree] init: option "sampleRate" is 2 (number); expected a number from 0 to 1; option "heartbeatMs" is "often" (string); expected an integer of at least 1000 (ms). crashfree is disabled.',
    ]);
    expect(pageErrors).toEqual([]);
    expect(updates(release)).toEqual([]);
    await context.close();
  });

  it('load, history navigation, then leaving the page: one session, ended exited', async () => {
    const release = 'web@exited';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    // History-API navigations are part of the same visit (default configuration).
    await page.evaluate(() => history.pushState({}, '', '/second-route'));
    await page.evaluate(() => history.pushState({}, '', '/third-route'));
    await page.goto(`${server.origin}/other.html`);
    const exited = await waitForUpdate(release, sid, (u) => u.status !== 'ok');
    expect(exited).toMatchObject({ sid, status: 'exited', errors: 0 });
    const all = updates(release);
    expect(new Set(all.map((u) => u.sid))).toEqual(new Set([sid]));
    expect(all.filter((u) => u.init === true)).toHaveLength(1);
    await context.close();
  });

  it('a new session per history navigation when configured (navigationSessionsIntegration)', async () => {
    const release = 'web@routes';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release, { integrations: ['navigationSessionsIntegration'] }));
    const first = await waitForInit(release);
    await page.evaluate(() => history.pushState({}, '', '/checkout'));
    const second = await waitForInit(release, [first]);
    expect(await waitForUpdate(release, first, (u) => u.status === 'exited')).toMatchObject({ status: 'exited' });
    expect(second).not.toBe(first);
    await context.close();
  });

  it('an envelope too big to leave with the page is kept and sent by the next load', async () => {
    const release = 'web@big-on-exit';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    await page.evaluate(() => {
      addEventListener('pagehide', () => {
        // Over the 64 KiB browsers allow for keepalive requests and beacons.
        (window as any).Crashfree.captureException(new Error('reported on the way out'), { extra: { blob: 'y'.repeat(80_000) } });
      });
    });
    // Another site: the old document is torn down, so only what the browser owns can still leave.
    await page.goto(`${server.origin.replace('127.0.0.1', 'localhost')}/other.html`);
    expect(await waitForUpdate(release, sid, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited' });
    await page.waitForTimeout(300);
    expect(eventsOf(release)).toEqual([]);
    await page.goto(appUrl(release));
    const events = await waitFor(() => eventsOf(release), (l) => l.length > 0);
    expect(events[0]!.exception.values[0].value).toBe('reported on the way out');
    expect((events[0]!.extra.blob as string).length).toBe(80_000);
    await context.close();
  });

  it('a handled error counts in errors and the session still ends exited', async () => {
    const release = 'web@handled';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    await page.evaluate(() => {
      const C = (window as any).Crashfree;
      C.setUser({ id: 'user-7' });
      try {
        JSON.parse('{ nope');
      } catch (e) {
        C.captureException(e);
      }
    });
    // The first update after the user is known carries it as `did` (crash-free users).
    expect(await waitForUpdate(release, sid, (u) => u.errors === 1)).toMatchObject({ status: 'ok', errors: 1, did: 'user-7' });
    await page.goto(`${server.origin}/other.html`);
    expect(await waitForUpdate(release, sid, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited', errors: 1 });
    const events = await waitFor(() => eventsOf(release), (l) => l.length > 0);
    expect(events).toHaveLength(1);
    expect(events[0]!.exception.values[0].type).toBe('SyntaxError');
    expect(events[0]!.exception.values[0].mechanism).toMatchObject({ handled: true });
    expect(events[0]!.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    await context.close();
  });

  for (const [kind, snippet] of [
    ['uncaught error', `setTimeout(() => { throw new TypeError('boom in a timer'); });`],
    ['unhandled rejection', `setTimeout(() => { Promise.reject(new RangeError('nobody catches this')); });`],
  ] as const) {
    it(`an ${kind} marks the session crashed`, async () => {
      const release = `web@${kind.replace(' ', '-')}`;
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(appUrl(release));
      const sid = await waitForInit(release);
      await page.evaluate(snippet);
      expect(await waitForUpdate(release, sid, (u) => u.status !== 'ok')).toMatchObject({ sid, status: 'crashed' });
      const events = await waitFor(() => eventsOf(release), (l) => l.length > 0);
      expect(events[0]!.exception.values[0].mechanism).toMatchObject({ handled: false });
      expect(events[0]!.level).toBe('error');
      // Leaving a crashed page sends nothing more for it: crashed is terminal.
      await page.goto(`${server.origin}/other.html`);
      await page.waitForTimeout(300);
      expect(updates(release).filter((u) => u.sid === sid).map((u) => u.status)).not.toContain('exited');
      await context.close();
    });
  }

  it('a crashed tab is reported abnormal by the next load of the origin, exactly once', async () => {
    const release = 'web@tabcrash';
    const context = await browser.newContext();
    const sent = recordEnvelopes(context, collector.url);
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    await crashTab(context, page);
    // Nothing can be sent by a dead tab.
    await new Promise((r) => setTimeout(r, 300));
    expect(updates(release).filter((u) => u.sid === sid).map((u) => u.status)).toEqual(['ok']);

    const next = await context.newPage();
    await next.goto(appUrl(release));
    const abnormal = await waitForUpdate(release, sid, (u) => u.status === 'abnormal');
    expect(abnormal).toMatchObject({ sid, status: 'abnormal', errors: 0 });
    expect(abnormal!.init).not.toBe(true);
    // A third load finds nothing left to recover.
    const second = await waitForInit(release, [sid]);
    const third = await context.newPage();
    await third.goto(appUrl(release));
    await waitForInit(release, [sid, second]);
    await next.waitForTimeout(300);
    expect(sentSessionUpdates(sent.attempted, sid).filter((u) => u.status === 'abnormal')).toHaveLength(1);
    await context.close();
  });

  it('two tabs, one crashed: only that one is abnormal, and two loads recover it once', async () => {
    const release = 'web@twotabs';
    const context = await browser.newContext();
    const sent = recordEnvelopes(context, collector.url);
    const a = await context.newPage();
    await a.goto(appUrl(release));
    const sidA = await waitForInit(release);
    const b = await context.newPage();
    await b.goto(appUrl(release));
    const sidB = await waitForInit(release, [sidA]);
    await crashTab(context, a);

    // Two tabs load at the same time; both look for dead sessions.
    const [c, d] = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all([c.goto(appUrl(release)), d.goto(appUrl(release))]);
    expect(await waitForUpdate(release, sidA, (u) => u.status === 'abnormal')).toMatchObject({ status: 'abnormal' });
    await waitFor(() => updates(release).filter((u) => u.init === true).length, (n) => n === 4);
    await c.waitForTimeout(500);
    expect(sentSessionUpdates(sent.attempted, sidA).filter((u) => u.status === 'abnormal')).toHaveLength(1);
    // The live tab's session is untouched until it ends by itself.
    expect(updates(release).filter((u) => u.sid === sidB).map((u) => u.status)).toEqual(['ok']);
    await b.goto(`${server.origin}/other.html`);
    expect(await waitForUpdate(release, sidB, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited' });
    await context.close();
  });

  it('without Web Locks a heartbeat stands in: a crashed tab is abnormal once its heartbeat is stale', async () => {
    const release = 'web@heartbeat';
    const context = await browser.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
    });
    const sent = recordEnvelopes(context, collector.url);
    const opts = { heartbeatMs: 1000 };
    const page = await context.newPage();
    await page.goto(appUrl(release, opts));
    expect(await page.evaluate(() => 'locks' in navigator && navigator.locks !== undefined)).toBe(false);
    const sid = await waitForInit(release);
    const live = await context.newPage();
    await live.goto(appUrl(release, opts));
    const liveSid = await waitForInit(release, [sid]);
    await crashTab(context, page);
    // Three missed beats make the owner dead; the live tab keeps beating.
    await new Promise((r) => setTimeout(r, 3500));
    const next = await context.newPage();
    await next.goto(appUrl(release, opts));
    expect(await waitForUpdate(release, sid, (u) => u.status === 'abnormal')).toMatchObject({ status: 'abnormal' });
    await waitForInit(release, [sid, liveSid]);
    await next.waitForTimeout(300);
    expect(updates(release).filter((u) => u.sid === liveSid).map((u) => u.status)).toEqual(['ok']);
    expect(sentSessionUpdates(sent.attempted, sid).filter((u) => u.status === 'abnormal')).toHaveLength(1);
    await context.close();
  });

  it('offline: envelopes wait and are delivered exactly once when the browser is back online', async () => {
    const release = 'web@offline';
    const context = await browser.newContext();
    const sent = recordEnvelopes(context, collector.url);
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const network = (offline: boolean) =>
      cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await network(true);
    const eventId = await page.evaluate(() => (window as any).Crashfree.captureException(new Error('while offline')));
    await page.waitForTimeout(1500);
    expect(eventsOf(release)).toEqual([]);
    await network(false);
    const events = await waitFor(() => eventsOf(release), (l) => l.length > 0, 15_000);
    expect(events.map((e) => e.event_id)).toEqual([eventId]);
    expect(await waitForUpdate(release, sid, (u) => u.errors === 1)).toMatchObject({ errors: 1 });
    await page.waitForTimeout(500);
    const deliveredWithEvent = sent.delivered.filter((b) => b.includes(eventId));
    expect(deliveredWithEvent).toHaveLength(1);
    await context.close();
  });

  it('offline until the tab closes: one of the next loads delivers what waited in IndexedDB, once', async () => {
    const release = 'web@offline-next-load';
    // Offline for real: the page sends through a proxy that cuts every connection while down.
    const proxy = await startSwitchableProxy(collector.url);
    const viaProxy = { dsn: proxy.dsnFor(collector.dsn) };
    const context = await browser.newContext();
    const sent = recordEnvelopes(context, proxy.url);
    const page = await context.newPage();
    await page.goto(appUrl(release, viaProxy));
    await waitForInit(release);
    proxy.setDown(true);
    await context.setOffline(true);
    const eventId = await page.evaluate(() => (window as any).Crashfree.captureException(new Error('queued for later')));
    await page.waitForTimeout(300);
    await page.close();
    await new Promise((r) => setTimeout(r, 300));
    proxy.setDown(false);
    await context.setOffline(false);
    expect(eventsOf(release)).toEqual([]);
    // Two tabs load together; the dead tab's queue must be taken over by one of them.
    const [c, d] = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all([c.goto(appUrl(release, viaProxy)), d.goto(appUrl(release, viaProxy))]);
    const events = await waitFor(() => eventsOf(release), (l) => l.length > 0);
    expect(events.map((e) => e.event_id)).toEqual([eventId]);
    await waitFor(() => updates(release).filter((u) => u.init === true).length, (n) => n === 3);
    await c.waitForTimeout(500);
    // Attempts made while offline failed; exactly one request carrying the event got through.
    expect(sent.delivered.filter((b) => b.includes(eventId))).toHaveLength(1);
    await context.close();
    await proxy.close();
  });

  it('offline overflow: the queue keeps its bound and every dropped event is reported, none vanishes', async () => {
    const release = 'web@overflow';
    const since = Date.now();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release, { queue: { maxCount: 3 } }));
    const sid = await waitForInit(release);
    await context.setOffline(true);
    const ids = await page.evaluate(() => {
      const C = (window as any).Crashfree;
      return [1, 2, 3, 4, 5, 6].map((i) => C.captureException(new Error(`offline error ${i}`)) as string);
    });
    await page.waitForTimeout(300);
    await context.setOffline(false);
    const overflowed = (): number =>
      collector
        .items({ type: 'client_report' })
        .filter((i) => i.receivedAt >= since)
        .flatMap((i) => (i.payload as { discarded_events?: Array<{ reason: string; category: string; quantity: number }> }).discarded_events ?? [])
        .filter((d) => d.reason === 'queue_overflow' && d.category === 'error')
        .reduce((n, d) => n + d.quantity, 0);
    const delivered = (): string[] => eventsOf(release).map((e) => e.event_id as string);
    // Let the queue drain first: a client report queued while it is still full would itself
    // take a slot. Then a flush sends the report of what was dropped.
    await waitFor(delivered, (l) => l.length > 0);
    await page.waitForTimeout(1000);
    const settled = await waitFor(
      async () => {
        await page.evaluate(() => (window as any).Crashfree.flush(1000));
        return { overflowed: overflowed(), delivered: delivered() };
      },
      (r) => r.overflowed + r.delivered.length === 6,
    );
    expect(settled.overflowed).toBeGreaterThan(0);
    expect(settled.delivered.length).toBeLessThanOrEqual(3);
    expect(settled.delivered.every((id) => ids.includes(id))).toBe(true);
    expect(settled.overflowed + settled.delivered.length).toBe(6);
    // The session still counts every error: accounting never depends on drops.
    await page.goto(`${server.origin}/other.html`);
    expect(await waitForUpdate(release, sid, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited', errors: 6 });
    await context.close();
  });

  it('a crash recorded before the tab died is reported crashed by the next load, not abnormal', async () => {
    const release = 'web@crash-then-die';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    await context.setOffline(true);
    await page.evaluate(() => setTimeout(() => Promise.reject(new Error('fatal while offline'))));
    await page.waitForTimeout(500);
    await crashTab(context, page);
    await page.close();
    await context.setOffline(false);
    const next = await context.newPage();
    await next.goto(appUrl(release));
    expect(await waitForUpdate(release, sid, (u) => u.status !== 'ok')).toMatchObject({ status: 'crashed' });
    await waitForInit(release, [sid]);
    await next.waitForTimeout(300);
    expect(updates(release).filter((u) => u.sid === sid).map((u) => u.status)).not.toContain('abnormal');
    expect(eventsOf(release).map((e) => e.exception.values[0].value)).toEqual(['fatal while offline']);
    await context.close();
  });

  it('corrupt persisted entries are skipped with a warning; everything else is still delivered', async () => {
    const release = 'web@corrupt';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    await context.setOffline(true);
    const eventId = await page.evaluate(() => (window as any).Crashfree.captureException(new Error('kept through corruption')));
    await page.waitForTimeout(300);
    // Garbage next to the real entries: a session that is not JSON, a queued envelope of a dead tab that is not an envelope.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('crashfree');
          open.onsuccess = () => {
            const tx = open.result.transaction('kv', 'readwrite');
            tx.objectStore('kv').put('{ not json', 'session/0123456789abcdef0123456789abcdef');
            tx.objectStore('kv').put('not an envelope', 'tab/dead-run/queue/000000000000001-x-00000001');
            tx.oncomplete = () => (open.result.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await crashTab(context, page);
    await page.close();
    await context.setOffline(false);
    const next = await context.newPage();
    const warnings: string[] = [];
    const pageErrors: Error[] = [];
    next.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    next.on('pageerror', (e) => pageErrors.push(e));
    await next.goto(appUrl(release));
    expect(await waitForUpdate(release, sid, (u) => u.status === 'abnormal')).toMatchObject({ status: 'abnormal' });
    const events = await waitFor(() => eventsOf(release), (l) => l.length > 0);
    expect(events.map((e) => e.event_id)).toEqual([eventId]);
    // One warning per kind of record (sessions, queued envelopes), not one per entry.
    const unreadable = warnings.filter((w) => w.includes('unreadable'));
    expect(unreadable.length).toBeGreaterThan(0);
    expect(unreadable.length).toBeLessThanOrEqual(2);
    expect(pageErrors).toEqual([]);
    // The garbage is gone: a later load warns no more.
    const third = await context.newPage();
    const later: string[] = [];
    third.on('console', (m) => m.type() === 'warning' && later.push(m.text()));
    await third.goto(appUrl(release));
    await waitFor(() => updates(release).filter((u) => u.init === true).length, (n) => n === 3);
    expect(later.filter((w) => w.includes('unreadable'))).toEqual([]);
    await context.close();
  });

  it('IndexedDB blocked: the SDK warns once and still sends every session update and event', async () => {
    const release = 'web@no-idb';
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    const errors: Error[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    page.on('pageerror', (e) => errors.push(e));
    await page.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    await page.goto(appUrl(release));
    const sid = await waitForInit(release);
    await page.evaluate(() => (window as any).Crashfree.captureException(new Error('still reported')));
    expect(await waitForUpdate(release, sid, (u) => u.errors === 1)).toMatchObject({ errors: 1 });
    await page.goto(`${server.origin}/other.html`);
    expect(await waitForUpdate(release, sid, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited', errors: 1 });
    expect(await waitFor(() => eventsOf(release).length, (n) => n === 1)).toBe(1);
    expect(warnings.filter((w) => w.includes('IndexedDB is unavailable'))).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a page restored from the back/forward cache starts a new session; the first one ended exited', async () => {
    const release = 'web@bfcache';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl(release));
    await page.evaluate(() => {
      addEventListener('pageshow', (e) => ((window as any).__restored = e.persisted));
    });
    const first = await waitForInit(release);
    await page.goto(`${server.origin}/other.html`);
    expect(await waitForUpdate(release, first, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited' });
    // A bfcache restore fires pageshow, not load.
    await page.goBack({ waitUntil: 'commit' });
    expect(await waitFor(() => page.evaluate(() => (window as any).__restored), (r) => r !== undefined)).toBe(true);
    const second = await waitForInit(release, [first]);
    expect(second).not.toBe(first);
    await page.goto(`${server.origin}/other.html`);
    expect(await waitForUpdate(release, second, (u) => u.status !== 'ok')).toMatchObject({ status: 'exited' });
    expect(updates(release).filter((u) => u.init === true)).toHaveLength(2);
    await context.close();
  });
});

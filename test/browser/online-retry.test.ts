/**
 * The `online` event ends the core's backoff (`retryNow`): envelopes that
 * failed while the collector was unreachable go out when the page hears the
 * network is back, not when a long backoff timer fires. Real Chromium, the
 * built IIFE bundle, a real collector; the outage is Playwright aborting the
 * envelope requests (a network error, navigator.onLine stays true).
 */
import type { Collector } from '@crashfree/collector';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { usePageSetup, waitFor, type PageServer } from './harness.js';

let browser: Browser;
let collector: Collector;
let server: PageServer;

usePageSetup((s) => ({ browser, collector, server } = s));

const eventsOf = (release: string): string[] =>
  collector
    .items({ type: 'event' })
    .map((i) => i.payload as { release?: string; event_id: string })
    .filter((e) => e.release === release)
    .map((e) => e.event_id);

describe('online after an outage', () => {
  it('sends what waited at once on `online`, while the backoff alone would still hold it', async () => {
    const release = 'web@online-retry';
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/app.html?opts=${encodeURIComponent(JSON.stringify({ release }))}`);
    await waitFor(() => collector.items({ type: 'session' }).length, (n) => n > 0);

    let failures = 0;
    await context.route(`${collector.url}/**`, (route) => {
      failures += 1;
      return route.abort('connectionrefused');
    });
    const eventId: string = await page.evaluate(() => (window as any).Crashfree.captureException(new Error('during the outage')));
    await waitFor(() => failures, (n) => n >= 1);
    // Each `online` during the outage retries once and fails; the backoff doubles every time
    // (1 s initial), so after these it is at least half of 64 s.
    for (let i = 2; i <= 7; i++) {
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      await waitFor(() => failures, (n) => n >= i);
    }
    await context.unroute(`${collector.url}/**`);

    // The network is back, but nothing tells the page: the backoff holds the event.
    await page.waitForTimeout(1500);
    expect(eventsOf(release)).toEqual([]);

    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    const got = await waitFor(() => eventsOf(release), (l) => l.length > 0, 10_000);
    expect(got).toEqual([eventId]);
    await context.close();
  });
});

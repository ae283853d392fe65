import type { RequestExecutor } from '@crashfree/core';
import { byteLength } from '@crashfree/core/lite';

/** Browsers refuse keepalive requests whose pending bodies exceed 64 KiB in total. */
const KEEPALIVE_LIMIT = 60_000;

/**
 * How long a request made while the browser is offline waits for `online`
 * before failing. Below the core's request timeout (30 s), so a request the
 * core gave up on is never sent late.
 */
const OFFLINE_WAIT_MS = 20_000;

const isOffline = (): boolean => navigator.onLine === false;

/** Resolves on the `online` event or after `ms`, whichever comes first. */
function onlineOrTimeout(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    addEventListener('online', done);
  });
}

/** Options of `makeBrowserRequest`. */
export interface BrowserRequestOptions {
  /** True while the page is going away: then sendBeacon is tried when fetch cannot be used. */
  isUnloading?: () => boolean;
}

/**
 * The browser's request executor: `fetch` with `keepalive` (so a send started
 * while the page unloads still completes) for bodies within the keepalive
 * limit. No custom headers are sent, so the POST is a CORS "simple request"
 * without a preflight (the DSN key travels in the URL, as with Sentry's
 * browser SDK). While the page unloads and fetch is unusable, the envelope is
 * handed to `navigator.sendBeacon`; the browser then owns delivery and no
 * status comes back, so a queued beacon is reported as accepted (202).
 * While the browser is offline a request waits (up to 20 s) for the `online`
 * event, so what waited goes out as soon as the network is back.
 */
export function makeBrowserRequest(options: BrowserRequestOptions = {}): RequestExecutor {
  const unloading = options.isUnloading ?? (() => false);
  return async ({ url, body }) => {
    // Offline, a request waits for the network instead of failing at once: the
    // core's queue would otherwise back off and miss the moment it returns.
    if (isOffline() && !unloading()) {
      await onlineOrTimeout(OFFLINE_WAIT_MS);
      if (isOffline()) throw new Error('the browser is offline');
    }
    const bytes = byteLength(body);
    // Beacons share the keepalive size limit, so a bigger envelope cannot leave with the
    // page at all. A plain fetch started now is cancelled with the document (or lands
    // unacknowledged): fail fast, and the persisted envelope goes out with the next load.
    if (unloading() && bytes > KEEPALIVE_LIMIT) throw new Error('too big to send while the page unloads');
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: body as BodyInit,
        keepalive: bytes <= KEEPALIVE_LIMIT,
        referrerPolicy: 'strict-origin',
        credentials: 'omit',
      });
      return {
        statusCode: res.status,
        headers: { 'retry-after': res.headers.get('retry-after'), 'x-sentry-rate-limits': res.headers.get('x-sentry-rate-limits') },
      };
    } catch (e) {
      // Fetch refused or missing while the page goes away: a beacon may still leave. Not
      // offline, though: a beacon is then "queued" and lost; the envelope stays for the next load.
      if (unloading() && !isOffline() && navigator.sendBeacon?.(url, body as BodyInit)) return { statusCode: 202, headers: {} };
      throw e;
    }
  };
}

import type { RequestExecutor } from '@crashfree/core';
import { byteLength } from '@crashfree/core/lite';

/** Browsers refuse keepalive requests whose pending bodies exceed 64 KiB in total. */
const KEEPALIVE_LIMIT = 60_000;

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
 * Offline, requests simply fail: the core keeps the envelopes queued and
 * the lifecycle's `online` listener sends them the moment the network is back.
 */
export function makeBrowserRequest(options: BrowserRequestOptions = {}): RequestExecutor {
  const unloading = options.isUnloading ?? (() => false);
  return async ({ url, body }) => {
    const bytes = byteLength(body);
    // Beacons share the keepalive size limit, so a bigger envelope cannot leave with the
    // page at all. A plain fetch started now is cancelled with the document (or lands
    // unacknowledged): fail fast, and the persisted envelope goes out with the next load.
    if (unloading() && bytes > KEEPALIVE_LIMIT) throw new Error('too big for keepalive');
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: body as BodyInit,
        keepalive: bytes <= KEEPALIVE_LIMIT,
        referrerPolicy: 'strict-origin',
        credentials: 'omit',
      });
      // Header names come lower-cased; a cross-origin page sees the ones the server exposes
      // (Sentry-compatible backends expose retry-after and x-sentry-rate-limits).
      return { statusCode: res.status, headers: Object.fromEntries(res.headers) };
    } catch (e) {
      // Fetch refused or missing while the page goes away: a beacon may still leave. Not
      // offline, though: a beacon is then "queued" and lost; the envelope stays for the next load.
      if (unloading() && navigator.onLine && navigator.sendBeacon?.(url, body as BodyInit)) return { statusCode: 202, headers: {} };
      throw e;
    }
  };
}

import type { DataCategory } from '@sentry/core';
import type { CoreDeps } from './clock.js';
import type { TransportHttpResponse } from './types.js';

/** Backoff after failures: first delay, doubling per consecutive failure, capped; jittered to 50–100 %. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * When the queue may send: the server's rate limits per category (429,
 * `Retry-After`, `X-Sentry-Rate-Limits`, read as Sentry's rate-limit protocol
 * says: https://develop.sentry.dev/sdk/expected-features/rate-limiting/) and the
 * backoff after network errors and 5xx. Pure state over an injectable clock.
 * A tuple of closures, destructured by its one user (the transport), so page
 * bundles carry no method names for it.
 */
export type SendGate = [
  /** 0 when none of `categories` is limited, else the time the last of their limits ends. */
  limitedUntil: (categories: DataCategory[]) => number,
  /** Whether the backoff of the last failure is still running. */
  backingOff: () => boolean,
  /** The end of the running backoff, or Infinity. */
  retryTime: () => number,
  /** Learns from an answer: rate-limit headers (on any status) and, on 2xx, that the server is back. Returns whether it was a 2xx (the envelope is delivered). */
  answered: (response: TransportHttpResponse) => boolean,
  /**
   * Ends the running backoff now (the network is back, the user asked). Rate
   * limits are the server's word and stay; the failure count stays too, so a
   * retry that fails again waits longer rather than storming.
   */
  endBackoff: () => void,
  /** A network error or 5xx: the whole queue waits. */
  failed: () => void,
];

/** Creates a gate with no limits and no backoff running. */
export function createSendGate(deps: CoreDeps, backoff: BackoffOptions): SendGate {
  let limits: Record<string, number> = {};
  let failures = 0;
  let retryAt = 0;
  const backingOff = (): boolean => deps.now() < retryAt;
  return [
    (categories) => {
      const now = deps.now();
      let until = 0;
      for (const c of categories) {
        const end = limits[c] ?? limits.all ?? 0;
        if (end > now) until = Math.max(until, end);
      }
      return until;
    },
    backingOff,
    () => (backingOff() ? retryAt : Infinity),
    (response) => {
      limits = { ...limits, ...limitsFrom(response, deps.now()) };
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      if (ok) failures = retryAt = 0;
      return ok;
    },
    () => void (retryAt = 0),
    () => {
      failures += 1;
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 30));
      retryAt = deps.now() + delay * (0.5 + deps.random() / 2);
    },
  ];
}

/**
 * The limits an answer sets, as end times per category (`all` for every
 * category): `X-Sentry-Rate-Limits` (`seconds:cat;cat:scope...`, an empty
 * category list meaning all) wins; else `Retry-After` (seconds or an HTTP
 * date) holds everything; else a bare 429 holds everything for 60 s.
 */
function limitsFrom({ statusCode, headers }: TransportHttpResponse, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  const header = headers?.['x-sentry-rate-limits'];
  const retryAfter = headers?.['retry-after'];
  if (header) {
    for (const limit of header.trim().split(',')) {
      const [seconds = '', categories = ''] = limit.split(':', 2);
      const n = parseInt(seconds, 10);
      const until = now + (isNaN(n) ? 60 : n) * 1000;
      if (!categories) out.all = until;
      else for (const c of categories.split(';')) out[c] = until;
    }
  } else if (retryAfter) {
    const seconds = parseInt(retryAfter, 10);
    const date = Date.parse(retryAfter);
    out.all = now + (!isNaN(seconds) ? seconds * 1000 : !isNaN(date) ? date - now : 60_000);
  } else if (statusCode === 429) out.all = now + 60_000;
  return out;
}

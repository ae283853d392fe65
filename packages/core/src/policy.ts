import type { Event } from '@sentry/core';
import { fingerprintOf, FINGERPRINT_VERSION } from './fingerprint.js';

/** Whether an event is unhandled/fatal: it ends the session `crashed` and is never sampled. */
export function isUnhandledEvent(event: Event): boolean {
  return event.level === 'fatal' || !!event.exception?.values?.some((ex) => ex.mechanism?.handled === false);
}

/** Why a handled error is not sent (the client-report reason). */
export type PolicyDrop = 'sample_rate' | 'spike_protection';

/** Settings of the event policy. */
export interface PolicyOptions {
  sampleRate: number;
  fingerprintBudget: number;
  spikeLimitPerMinute: number;
  now: () => number;
  random: () => number;
  /** Most fingerprints tracked; the least recently seen are forgotten beyond it, bounding memory. */
  maxFingerprints?: number;
}

/** Decides whether an event is sent: undefined to send it, else the drop reason. One per client. */
export type EventPolicy = (event: Event, unhandled: boolean) => PolicyDrop | undefined;

/**
 * crashfree's event policy, the same for both clients. Unhandled/fatal events
 * are always sent. Handled errors: none at `sampleRate: 0` (what a Sentry
 * user means by it); else the first `fingerprintBudget` of each fingerprint
 * (fingerprint.ts) are kept; after that a per-fingerprint spike guard caps
 * each minute, then `sampleRate` applies. Every event it sees is stamped
 * with `fingerprint_version`. Session accounting never depends on it.
 */
export function createEventPolicy(opts: PolicyOptions): EventPolicy {
  // Per fingerprint [total, minute, in that minute]; Map order is the LRU order (a hit is re-inserted).
  const seen = new Map<string, [number, number, number]>();
  const max = opts.maxFingerprints ?? 1000;
  return (event, unhandled) => {
    (event as { fingerprint_version?: number }).fingerprint_version = FINGERPRINT_VERSION;
    if (unhandled) return undefined;
    if (!opts.sampleRate) return 'sample_rate';
    const key = fingerprintOf(event);
    const minute = Math.floor(opts.now() / 60_000);
    const c = seen.get(key) ?? [0, minute, 0];
    seen.delete(key);
    if (seen.size >= max) seen.delete(seen.keys().next().value!);
    seen.set(key, c);
    if (c[1] !== minute) {
      c[1] = minute;
      c[2] = 0;
    }
    c[0]++;
    c[2]++;
    if (c[0] <= opts.fingerprintBudget) return undefined;
    if (c[2] > opts.spikeLimitPerMinute) return 'spike_protection';
    return opts.random() < opts.sampleRate ? undefined : 'sample_rate';
  };
}

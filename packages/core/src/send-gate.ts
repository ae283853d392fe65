import type { DataCategory, TransportMakeRequestResponse } from '@sentry/core';
import type { CoreDeps } from './clock.js';

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
 */
export class SendGate {
  private limits: Record<string, number> = {};
  private failures = 0;
  private retryAt = 0;

  public constructor(
    private readonly deps: CoreDeps,
    private readonly backoff: BackoffOptions,
  ) {}

  /** 0 when none of `categories` is limited, else the time the last of their limits ends. */
  public limitedUntil(categories: DataCategory[]): number {
    const now = this.deps.now();
    let until = 0;
    for (const c of categories) {
      const end = this.limits[c] ?? this.limits.all ?? 0;
      if (end > now) until = Math.max(until, end);
    }
    return until;
  }

  /** Whether the backoff of the last failure is still running. */
  public backingOff(): boolean {
    return this.deps.now() < this.retryAt;
  }

  /** The end of the running backoff, or Infinity. */
  public retryTime(): number {
    return this.backingOff() ? this.retryAt : Infinity;
  }

  /** Learns from an answer: rate-limit headers (on any status) and, on 2xx, that the server is back. */
  public answered(response: TransportMakeRequestResponse & { statusCode: number }): void {
    this.limits = { ...this.limits, ...limitsFrom(response, this.deps.now()) };
    if (response.statusCode >= 200 && response.statusCode < 300) {
      this.failures = 0;
      this.retryAt = 0;
    }
  }

  /**
   * Ends the running backoff now (the network is back, the user asked). Rate
   * limits are the server's word and stay; the failure count stays too, so a
   * retry that fails again waits longer rather than storming.
   */
  public endBackoff(): void {
    this.retryAt = 0;
  }

  /** A network error or 5xx: the whole queue waits. */
  public failed(): void {
    this.failures += 1;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.failures - 1, 30));
    this.retryAt = this.deps.now() + delay * (0.5 + this.deps.random() / 2);
  }
}

/**
 * The limits an answer sets, as end times per category (`all` for every
 * category): `X-Sentry-Rate-Limits` (`seconds:cat;cat:scope...`, an empty
 * category list meaning all) wins; else `Retry-After` (seconds or an HTTP
 * date) holds everything; else a bare 429 holds everything for 60 s.
 */
function limitsFrom({ statusCode, headers }: TransportMakeRequestResponse, now: number): Record<string, number> {
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

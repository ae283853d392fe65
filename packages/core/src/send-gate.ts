import { disabledUntil, isRateLimited, updateRateLimits, type DataCategory, type TransportMakeRequestResponse } from '@sentry/core';
import type { CoreDeps } from './clock.js';

/** Backoff after failures: first delay, doubling per consecutive failure, capped; jittered to 50–100 %. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * When the queue may send: the server's rate limits per category (429,
 * `Retry-After`, `X-Sentry-Rate-Limits`, via @sentry/core's helpers) and the
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
    for (const c of categories) if (isRateLimited(this.limits, c, now)) until = Math.max(until, disabledUntil(this.limits, c));
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
    this.limits = updateRateLimits(this.limits, response, this.deps.now());
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

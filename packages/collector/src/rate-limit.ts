/**
 * Simulated rate limiting, for SDK tests that must see a real 429 over real
 * HTTP: the next N ingest requests are refused with `Retry-After` and/or
 * `X-Sentry-Rate-Limits`, and store nothing.
 */

/** What `Collector.simulateRateLimit` takes. */
export interface RateLimitSimulation {
  /** How many upcoming ingest requests get the 429 (default 1). */
  requests?: number;
  /** `Retry-After` in seconds (omitted: no header). */
  retryAfterSeconds?: number;
  /** Raw `X-Sentry-Rate-Limits` value, e.g. `60:error;attachment:organization` (omitted: no header). */
  rateLimits?: string;
}

/** The queue of pending simulated refusals of one collector. */
export interface RateLimiter {
  add(simulation: RateLimitSimulation): void;
  /** Takes the next refusal, or undefined when requests should pass. */
  take(): { headers: Record<string, string> } | undefined;
}

/** Creates an empty limiter; `add` validates its argument (TypeError naming the field). */
export function createRateLimiter(): RateLimiter {
  const pending: Array<Record<string, string>> = [];
  return {
    add(simulation) {
      const { requests = 1, retryAfterSeconds, rateLimits } = simulation;
      if (!Number.isInteger(requests) || requests < 1 || requests > 1_000_000) {
        throw new TypeError(`simulateRateLimit: "requests" is ${String(requests)}; expected an integer from 1 to 1000000`);
      }
      if (retryAfterSeconds !== undefined && !(Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0)) {
        throw new TypeError(`simulateRateLimit: "retryAfterSeconds" is ${String(retryAfterSeconds)}; expected a number of seconds >= 0`);
      }
      if (rateLimits !== undefined && (typeof rateLimits !== 'string' || /[\r\n]/.test(rateLimits))) {
        throw new TypeError(`simulateRateLimit: "rateLimits" is ${JSON.stringify(rateLimits)}; expected an X-Sentry-Rate-Limits value on one line`);
      }
      const headers: Record<string, string> = {};
      if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.ceil(retryAfterSeconds));
      if (rateLimits !== undefined) headers['X-Sentry-Rate-Limits'] = rateLimits;
      for (let i = 0; i < requests; i++) pending.push(headers);
    },
    take() {
      const headers = pending.shift();
      return headers ? { headers } : undefined;
    },
  };
}

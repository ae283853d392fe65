/**
 * Finding the `sentry_key` a request authenticates with, in Sentry's order:
 * the `X-Sentry-Auth` header, then `Authorization: Sentry ...`, then the
 * query string (what `sendBeacon` and browser SDKs use). Absent from all of
 * them, the `dsn` in the envelope header counts (Sentry's tunnel case).
 */
import type { IncomingMessage } from 'node:http';

/** The `sentry_key` of a request, or undefined when it carries none. */
export function requestKey(req: IncomingMessage, url: URL): string | undefined {
  for (const header of [req.headers['x-sentry-auth'], req.headers['authorization']]) {
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) continue;
    const match = /(?:^|[\s,])sentry_key\s*=\s*([^,\s]+)/.exec(value);
    if (match?.[1]) return match[1];
  }
  return url.searchParams.get('sentry_key') ?? undefined;
}

/** The public key inside an envelope header's `dsn`, when it is a parseable DSN. */
export function dsnKey(dsn: unknown): string | undefined {
  if (typeof dsn !== 'string') return undefined;
  try {
    return new URL(dsn).username || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Small HTTP helpers shared by the routes: an error that carries its status,
 * JSON answers, and the CORS headers browser SDKs need to send (their pages
 * run on another origin; `sendBeacon` cannot set headers, so auth then travels in
 * the query string).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error answered as `status` with a one-line `{"detail": message}`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Adds the CORS headers of an ingest route, as Sentry's ingest sends them:
 * any origin may send (the DSN key is the credential). Read routes never
 * get these (see access.ts).
 */
export function setIngestCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('Access-Control-Allow-Origin', origin ?? '*');
  if (origin) res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader(
    'Access-Control-Allow-Headers',
    req.headers['access-control-request-headers'] ?? 'Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage',
  );
  res.setHeader('Access-Control-Expose-Headers', 'X-Sentry-Error, X-Sentry-Rate-Limits, Retry-After');
  res.setHeader('Access-Control-Max-Age', '86400');
}

/** Sends `value` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

/** Sends an error as Sentry does: JSON `{"detail": ...}` plus `X-Sentry-Error`. */
export function sendError(res: ServerResponse, status: number, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Header values must be a single line of Latin-1.
  res.setHeader('X-Sentry-Error', detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 200));
  sendJson(res, status, { detail });
}

/**
 * Serves the release-health page: `/` (HTML) and `/page/app.js` (its script).
 *
 * The page's data calls need the API token. It is embedded in the HTML only
 * when the request comes from this machine to a loopback host name: whoever
 * can do that can already read the token from the data directory, so nothing
 * is disclosed; from another host (a collector started with --host 0.0.0.0)
 * the page asks for the token instead of handing it to the network. The Host
 * check stops DNS rebinding (a foreign site resolved to 127.0.0.1) from
 * reading an embedded token; since access.ts refuses a foreign Host for
 * every route, such a page is not even served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackRequest } from '../release-api/auth.js';
import { APP_SCRIPT } from './app-script.js';
import { renderPage } from './html.js';

function send(res: ServerResponse, type: string, body: string): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
    // Everything the page uses comes from this collector, and no other site
    // may frame it (it may hold the token).
    'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(isHead(res) ? undefined : buf);
}

function isHead(res: ServerResponse): boolean {
  return res.req?.method === 'HEAD';
}

/** Answers the page routes; false for any other path. */
export function servePage(req: IncomingMessage, res: ServerResponse, url: URL, token: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (url.pathname === '/') {
    send(res, 'text/html; charset=utf-8', renderPage(isLoopbackRequest(req) ? token : null));
    return true;
  }
  if (url.pathname === '/page/app.js') {
    send(res, 'text/javascript; charset=utf-8', APP_SCRIPT);
    return true;
  }
  return false;
}

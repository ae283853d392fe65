/**
 * Who may read from the collector: the one rule every route except ingest
 * passes through (server.ts applies it before routing), so a new read route
 * is closed without doing anything.
 *
 * 1. The `Host` must be a loopback name, the address the collector is bound
 *    to, or a name the user allowed (`allowedHosts`): a page on a foreign
 *    name that resolves to 127.0.0.1 (DNS rebinding) is refused before
 *    anything else.
 * 2. A data request from another origin (an `Origin` that is not this
 *    collector, or `Sec-Fetch-Site: cross-site`/`same-site`) is refused; read routes
 *    never send `Access-Control-Allow-Origin`, so a browser never lets a
 *    foreign page see an answer either.
 * 3. Everything but the page's HTML and script needs
 *    `Authorization: Bearer TOKEN`. The page itself carries no data; it
 *    gets the token embedded only for a loopback request to a loopback name
 *    (page/serve.ts), so a person opens it with one click.
 *
 * Ingest is the exception (SDKs on any origin send with the DSN key; see
 * ingest.ts and http.ts's CORS headers).
 */
import { isIP } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasToken } from './release-api/auth.js';
import { HttpError } from './http.js';

/** What the rule needs to know about the running collector. */
export interface AccessPolicy {
  /** The address the collector listens on (`--host`). */
  boundHost: string;
  /** Extra names (lower case) a user reaches the collector by, e.g. a LAN host name. */
  allowedHosts: readonly string[];
  token: string;
}

const LOOPBACK_NAME = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;
const WILDCARD = new Set(['0.0.0.0', '::', '::0']);

/** The host name of a Host header value: port and IPv6 brackets removed, lower case, no trailing dot. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  const name = bracketed ? (bracketed[1] as string) : h.replace(/:\d+$/, '');
  return name.replace(/\.$/, '');
}

/** True for a Host this collector answers reads for (see rule 1). */
export function isAllowedHost(host: string | undefined, policy: AccessPolicy): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (LOOPBACK_NAME.test(name) || name.endsWith('.localhost')) return true;
  const bound = hostName(policy.boundHost);
  if (name === bound) return true;
  if (policy.allowedHosts.includes(name)) return true;
  // Bound to every interface: any address literal is one of this machine's
  // (rebinding needs a name the attacker controls, never a bare address).
  return WILDCARD.has(bound) && isIP(name) !== 0;
}

/** True when `url` is one of the page routes, which need no token (they carry no data). */
export function isPageRoute(req: IncomingMessage, url: URL): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (url.pathname === '/' || url.pathname === '/page/app.js');
}

/** Applies the rule to one non-ingest request; throws HttpError 403/401 with the reason. */
export function checkAccess(req: IncomingMessage, res: ServerResponse, url: URL, policy: AccessPolicy): void {
  const host = req.headers.host;
  if (!isAllowedHost(host, policy)) {
    throw new HttpError(
      403,
      `Host ${JSON.stringify(host ?? '')} is not this collector's address: reads answer only to a loopback name or ${policy.boundHost} (start it with --allow-host NAME to add one)`,
    );
  }
  // A link from elsewhere may open the page (a foreign origin cannot read
  // what it navigated to, and the page refuses to be framed).
  if (isPageRoute(req, url)) return;
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if ((origin !== undefined && !sameOrigin(origin, host as string)) || site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, 'cross-origin reads are refused: the collector answers reads only to its own page and to clients without an Origin');
  }
  if (!hasToken(req, policy.token)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    throw new HttpError(401, 'Authentication credentials were not provided or are invalid: send "Authorization: Bearer TOKEN" (the collector prints its token at start)');
  }
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    const o = new URL(origin);
    return o.protocol === 'http:' && o.host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false;
  }
}

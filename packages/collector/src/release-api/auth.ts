/**
 * The two checks behind the collector's read rule (../access.ts applies it
 * to every read route): the bearer token, and whether a request is local
 * enough for the page to embed that token (see page/serve.ts for why).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** True when the request carries the collector's bearer token. */
export function hasToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const LOOPBACK_ADDR = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/**
 * True when the peer is on this machine AND the browser addressed a loopback
 * name: the second check defeats DNS rebinding (a web page on evil.example
 * resolving to 127.0.0.1 sends `Host: evil.example`).
 */
export function isLoopbackRequest(req: IncomingMessage): boolean {
  const addr = req.socket.remoteAddress ?? '';
  const host = req.headers.host ?? '';
  return LOOPBACK_ADDR.test(addr) && LOOPBACK_HOST.test(host);
}

/**
 * `GET /api/0/crashfree/events/:event_id/?project=1`: one stored event as
 * Sentry's event API would show a native crash — the stored payload plus the
 * crashing thread's frames (`threads.values[0]`, outermost first, as Sentry
 * orders frames), the loaded modules (`debug_meta.images`) and the walk's
 * state (`crashfree_stackwalk`: pending, done with its time, failed or
 * skipped with the reason). Frames are named from the symbol store as the
 * event is read. Events without a minidump are returned as stored.
 *
 * `PUT /api/0/crashfree/symbols/`: one Breakpad `.sym` file as the body
 * (`crashfree-symbols upload` sends them); answers 201 with its module and
 * debug id, 400 for a body that is not one.
 * Access to both is decided before routing (access.ts: the token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../body.js';
import { HttpError, sendJson } from '../http.js';
import type { Storage } from '../storage/storage.js';
import { MAX_SYM_BYTES, type SymbolStore } from './symbols.js';
import type { Stackwalker } from './walker.js';

const EVENT_PATH = /^\/api\/0\/crashfree\/events\/([0-9a-fA-F-]{32,36})\/?$/;
const SYMBOLS_PATH = /^\/api\/0\/crashfree\/symbols\/?$/;

/** Answers the routes; false for other paths. */
export async function handleNativeEvent(req: IncomingMessage, res: ServerResponse, url: URL, storage: Storage, walker: Stackwalker, symbols: SymbolStore): Promise<boolean> {
  if (SYMBOLS_PATH.test(url.pathname)) {
    if (req.method !== 'PUT' && req.method !== 'POST') throw new HttpError(405, 'use PUT with a .sym file as the body');
    const text = (await readBody(req, MAX_SYM_BYTES)).toString('utf8');
    try {
      sendJson(res, 201, await symbols.put(text));
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, (e as Error).message);
    }
    return true;
  }
  const match = EVENT_PATH.exec(url.pathname);
  if (!match) return false;
  if (req.method !== 'GET') throw new HttpError(405, 'use GET');
  const eventId = match[1]!.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(eventId)) throw new HttpError(400, `event id: got ${JSON.stringify(match[1])}, expected 32 hex digits`);
  const item = storage.event(url.searchParams.get('project') ?? '1', eventId);
  if (!item) throw new HttpError(404, `no event ${eventId}`);
  const payload = { ...(item.payload as Record<string, unknown>) };
  const state = await walker.state(eventId);
  if (state) {
    payload['crashfree_stackwalk'] = state.status === 'done' ? { status: 'done', ms: state.ms } : state;
    if (state.status === 'done') {
      const r = state.result;
      const frames = await symbols.symbolicate(r.frames, r.images);
      payload['threads'] = { values: [{ crashed: true, current: true, stacktrace: { frames: frames.reverse() } }] };
      payload['debug_meta'] = { images: r.images };
      const contexts = { ...(payload['contexts'] as Record<string, unknown> | undefined) };
      if (r.arch) contexts['device'] = { ...(contexts['device'] as object | undefined), arch: r.arch };
      payload['contexts'] = contexts;
      if (r.reason) payload['crashfree_native'] = { reason: r.reason, address: r.address };
    }
  }
  sendJson(res, 200, payload);
  return true;
}

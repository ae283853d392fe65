/**
 * Seam between the collector's ingest (server.ts, storage) and the
 * release-health API and page (owned by the release-health work).
 *
 * Routes (all answers JSON unless noted):
 *   GET  /                                                      the page (HTML)
 *   GET  /page/app.js                                           the page's script
 *   GET  /api/0/organizations/:org/sessions/                    Sentry's sessions API
 *   GET  /api/0/organizations/:org/projects/                    the one project, Sentry's shape
 *   GET  /api/0/organizations/:org/releases/:version/deploys/   list deploys
 *   POST /api/0/organizations/:org/releases/:version/deploys/   record a deploy
 *   GET  /api/0/organizations/:org/crashfree/releases/          per-release table (crashfree)
 *   GET  /api/0/organizations/:org/crashfree/crashes/           latest crash events (crashfree)
 *   GET  /api/0/organizations/:org/issues/[:id/[tags/:key/]]     Sentry's issues API (issues/routes.ts)
 * Everything but the page needs `Authorization: Bearer TOKEN` (checked for
 * every read route alike in access.ts, before routing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import { HttpError, sendJson } from './http.js';
import { handleApi } from './release-api/routes.js';
import { createReleaseApiState, type ReleaseApiState } from './release-api/state.js';
import { servePage } from './page/serve.js';

/** One stored envelope item, as the inspection API returns it. */
export interface StoredItem {
  /** Item type: event, session, sessions, attachment, client_report, ... */
  type: string;
  projectId: string;
  /** Item headers as received. */
  headers: Record<string, unknown>;
  /** Envelope headers (event_id, sent_at, sdk, dsn, ...). */
  envelopeHeaders: Record<string, unknown>;
  /** Parsed JSON payload; for attachments undefined (see `attachment`). */
  payload?: unknown;
  /** For attachments: the stored file and its size in bytes. */
  attachment?: { path: string; size: number; filename?: string; attachmentType?: string; contentType?: string };
  /** Milliseconds since the epoch when the collector accepted it. */
  receivedAt: number;
}

/** What the collector hands to the release-health API. */
export interface ReleaseApiContext {
  dataDir: string;
  /** Bearer token required by /api/0/organizations/... */
  token: string;
  /** Every stored item so far (after restart too), in arrival order. */
  items(filter?: { type?: string; projectId?: string }): Iterable<StoredItem>;
  /** Called for each newly stored item (after it is durable); returns an unsubscribe. */
  subscribe(listener: (item: StoredItem) => void): () => void;
  /** The clock of the sessions API's ranges; default Date.now (tests inject one). */
  now?: () => number;
}

/**
 * The one cache of this module: the index state per collector, keyed by the
 * collector's (long-lived) context object so two collectors in one process
 * never share data, and a closed collector's state is collected with it.
 */
const states = new WeakMap<ReleaseApiContext, ReleaseApiState>();

/**
 * Returns the live state of a collector, building its index on first use.
 * Exposed so a collector (or a benchmark) can warm the index at start.
 */
export function releaseApiState(ctx: ReleaseApiContext): ReleaseApiState {
  let state = states.get(ctx);
  if (!state) {
    state = createReleaseApiState(ctx);
    states.set(ctx, state);
  }
  return state;
}

/**
 * Handles GET/POST under /api/0/organizations/ and the page routes.
 * Returns false when the route is not its own (the server then answers 404).
 * Bad input is answered with a 4xx and a `detail` naming the problem.
 */
export async function handleReleaseApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ReleaseApiContext): Promise<boolean> {
  if (url.pathname === '/' || url.pathname.startsWith('/page/')) return servePage(req, res, url, ctx.token);
  if (!url.pathname.startsWith('/api/0/organizations/')) return false;
  return handleApi(req, res, url, () => releaseApiState(ctx), {
    readJson: async () => {
      const body = await readBody(req, 64 * 1024);
      try {
        return JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        throw new HttpError(400, 'body: expected JSON');
      }
    },
    sendJson: (status, value) => sendJson(res, status, value),
    httpError: (status, message) => new HttpError(status, message),
  });
}

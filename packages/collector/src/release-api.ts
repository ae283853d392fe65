/**
 * Seam between the collector's ingest (server.ts, storage) and the
 * release-health API and page (owned by the release-health work).
 * Until that lands, /api/0/organizations/... answers 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

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
}

/**
 * Handles GET/POST under /api/0/organizations/ and the page routes.
 * Returns false when the route is not its own (the server then answers 404).
 */
export async function handleReleaseApi(
  _req: IncomingMessage,
  _res: ServerResponse,
  _url: URL,
  _ctx: ReleaseApiContext,
): Promise<boolean> {
  return false;
}

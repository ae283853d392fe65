/**
 * The inspection API, for tests and the demo:
 *   GET /api/0/crashfree/items?project=1&type=event  ->  { items: StoredItem[] }
 *   GET /api/0/crashfree/attachments/:id             ->  the attachment's bytes
 * (`:id` is the base name of an item's `attachment.path`). Who may call it
 * is decided before routing (access.ts: bearer token, Host, no foreign origin).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson } from './http.js';
import type { Storage } from './storage/storage.js';

/** Handles GET under /api/0/crashfree/; returns false for paths it does not own. */
export function handleInspect(req: IncomingMessage, res: ServerResponse, url: URL, storage: Storage): boolean {
  const rest = url.pathname.slice('/api/0/crashfree/'.length).replace(/\/$/, '');
  if (rest === 'items') {
    if (req.method !== 'GET') throw new HttpError(405, 'use GET');
    const type = url.searchParams.get('type') ?? undefined;
    const projectId = url.searchParams.get('project') ?? undefined;
    sendJson(res, 200, { items: storage.items({ type, projectId }) });
    return true;
  }
  const match = /^attachments\/([0-9a-f]{32})$/.exec(rest);
  if (match?.[1]) {
    if (req.method !== 'GET') throw new HttpError(405, 'use GET');
    const id = match[1];
    const item = storage.attachment(id);
    if (!item?.attachment) throw new HttpError(404, `no attachment ${id}`);
    const { path: file, size, filename, contentType } = item.attachment;
    res.writeHead(200, {
      'Content-Type': contentType ?? 'application/octet-stream',
      'Content-Length': size,
      'Content-Disposition': `attachment; filename="${(filename ?? id).replace(/[^\w.-]/g, '_')}"`,
    });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
    return true;
  }
  return false;
}

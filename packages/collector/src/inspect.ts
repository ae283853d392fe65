/**
 * The inspection API, for tests and the demo:
 *   GET /api/0/crashfree/items?project=1&type=event  ->  { items: StoredItem[] }
 *   GET /api/0/crashfree/attachments/:id             ->  the attachment's bytes
 * (`:id` is the base name of an item's `attachment.path`). Who may call it
 * is decided before routing (access.ts: bearer token, Host, no foreign origin).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';
import type { StoredItem } from './release-api.js';
import type { Storage } from './storage/storage.js';

/** Bytes of JSON gathered before one write of the streamed item list. */
const CHUNK_BYTES = 64 * 1024;

/** Handles GET under /api/0/crashfree/; resolves false for paths it does not own. */
export async function handleInspect(req: IncomingMessage, res: ServerResponse, url: URL, storage: Storage): Promise<boolean> {
  const rest = url.pathname.slice('/api/0/crashfree/'.length).replace(/\/$/, '');
  if (rest === 'items') {
    if (req.method !== 'GET') throw new HttpError(405, 'use GET');
    const type = url.searchParams.get('type') ?? undefined;
    const projectId = url.searchParams.get('project') ?? undefined;
    await streamItems(res, storage.iterate({ type, projectId }));
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

/**
 * Writes `{"items":[...]}` one item at a time as they are read from the log,
 * waiting for the client to drain: a store of a million items answers in
 * constant memory (one JSON string of them all would not even fit in a
 * string).
 */
async function streamItems(res: ServerResponse, items: Iterable<StoredItem>): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  let chunk = '{"items":[';
  let first = true;
  const flush = async (): Promise<boolean> => {
    const drained = res.write(chunk);
    chunk = '';
    if (!drained) await waitForDrain(res);
    return !res.destroyed;
  };
  for (const item of items) {
    chunk += (first ? '' : ',') + JSON.stringify(item);
    first = false;
    if (chunk.length >= CHUNK_BYTES && !(await flush())) return;
  }
  chunk += ']}';
  res.end(chunk);
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * The ingest routes: `POST /api/:projectId/envelope/`, the legacy
 * `POST /api/:projectId/store/` and Crashpad's `POST /api/:projectId/minidump/`.
 * Order of checks: project (404), key (401), size (413), well-formedness
 * (400), then a durable commit before the 200. Nothing is stored unless the
 * whole request is acceptable.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inflateSync } from 'node:zlib';
import { dsnKey, requestKey } from './auth.js';
import { decodeBody, readBody } from './body.js';
import { EnvelopeError, parseEnvelope, type RawEnvelope } from './envelope.js';
import { HttpError, sendJson } from './http.js';
import { prepareMinidumpUpload } from './minidump.js';
import { formBoundary, parseForm } from './multipart.js';
import { carriesMinidump, prepareEnvelope, prepareStoreEvent, type PreparedEnvelope } from './prepare.js';
import type { RateLimiter } from './rate-limit.js';
import type { Storage } from './storage/storage.js';

/** What the ingest routes need from the running collector. */
export interface IngestContext {
  storage: Storage;
  /** Public key per known project id. */
  projects: ReadonlyMap<string, string>;
  maxEnvelopeBytes: number;
  maxMinidumpEnvelopeBytes: number;
  limiter: RateLimiter;
}

const MISSING_KEY = 'missing sentry_key (X-Sentry-Auth header or sentry_key query parameter)';

/** The three ingest routes under /api/:projectId/. */
export type IngestEndpoint = 'envelope' | 'store' | 'minidump';

/** Handles one ingest request; throws HttpError for every refusal. */
export async function handleIngest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  projectId: string,
  endpoint: IngestEndpoint,
  ctx: IngestContext,
): Promise<void> {
  const expectedKey = ctx.projects.get(projectId);
  if (expectedKey === undefined) throw new HttpError(404, `unknown project ${projectId}`);
  const key = requestKey(req, url);
  if (key !== undefined && key !== expectedKey) throw new HttpError(401, 'invalid sentry_key for this project');
  // Only envelopes can carry their key inside (the header's dsn).
  if (key === undefined && endpoint !== 'envelope') throw new HttpError(401, MISSING_KEY);
  const limited = ctx.limiter.take();
  if (limited) {
    req.resume();
    for (const [name, value] of Object.entries(limited.headers)) res.setHeader(name, value);
    throw new HttpError(429, 'rate limited (simulated by the collector)');
  }

  const raw = await readBody(req, ctx.maxMinidumpEnvelopeBytes);
  const body = decodeBody(raw, header(req, 'content-encoding'), ctx.maxMinidumpEnvelopeBytes);
  const receivedAt = Date.now();

  let prepared: PreparedEnvelope;
  if (endpoint === 'envelope') {
    let envelope: RawEnvelope;
    try {
      envelope = parseEnvelope(body);
    } catch (error) {
      if (key === undefined) throw new HttpError(401, MISSING_KEY);
      throw asBadRequest(error);
    }
    if (key === undefined) {
      const fromDsn = dsnKey(envelope.headers['dsn']);
      if (fromDsn === undefined) throw new HttpError(401, MISSING_KEY);
      if (fromDsn !== expectedKey) throw new HttpError(401, 'invalid sentry_key for this project');
    }
    if (body.length > ctx.maxEnvelopeBytes && !carriesMinidump(envelope)) {
      throw new HttpError(413, `envelope of ${body.length} bytes exceeds the limit of ${ctx.maxEnvelopeBytes} bytes`);
    }
    prepared = wrap(() => prepareEnvelope(projectId, envelope), 'malformed envelope');
  } else if (endpoint === 'minidump') {
    prepared = wrap(() => prepareMinidumpUpload(projectId, parseForm(body, formBoundary(header(req, 'content-type'))), receivedAt), 'malformed minidump upload');
  } else {
    if (body.length > ctx.maxEnvelopeBytes) {
      throw new HttpError(413, `event of ${body.length} bytes exceeds the limit of ${ctx.maxEnvelopeBytes} bytes`);
    }
    prepared = wrap(() => prepareStoreEvent(projectId, legacyStoreBody(body)), 'malformed event');
  }

  await ctx.storage.commit(prepared, receivedAt);
  const id = prepared.envelopeHeaders['event_id'];
  if (endpoint === 'minidump') {
    // Crashpad keeps the response body as the report's id.
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(String(id));
    return;
  }
  sendJson(res, 200, typeof id === 'string' ? { id } : {});
}

/**
 * Very old SDKs (raven) post the store body as base64 of zlib-compressed
 * JSON; anything not starting like JSON is tried that way.
 */
function legacyStoreBody(body: Buffer): Buffer {
  const first = body.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b || first === undefined) return body;
  try {
    return inflateSync(Buffer.from(body.toString('latin1'), 'base64'));
  } catch {
    return body;
  }
}

function wrap<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (error) {
    throw asBadRequest(error, what);
  }
}

function asBadRequest(error: unknown, what = 'malformed envelope'): Error {
  return error instanceof EnvelopeError ? new HttpError(400, `${what}: ${error.message}`) : (error as Error);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Turns a parsed envelope into items ready to store: JSON payloads parsed
 * (a malformed one rejects the whole envelope), attachments and payloads
 * that are not JSON kept as bytes for a file.
 */
import { EnvelopeError, JSON_ITEM_TYPES, parseJsonPayload, type RawEnvelope } from './envelope.js';

/** Bytes to be written to an attachment file, with what describes them. */
export interface PreparedFile {
  bytes: Buffer;
  filename?: string;
  attachmentType?: string;
  contentType?: string;
}

/** One item ready for storage: a parsed payload or a file, never both. */
export interface PreparedItem {
  type: string;
  headers: Record<string, unknown>;
  payload?: unknown;
  file?: PreparedFile;
}

/** A validated envelope for one project, ready for `Storage.commit`. */
export interface PreparedEnvelope {
  projectId: string;
  envelopeHeaders: Record<string, unknown>;
  items: PreparedItem[];
}

/** The attachment type Sentry uses for minidumps; such envelopes get the larger size limit. */
export const MINIDUMP_ATTACHMENT_TYPE = 'event.minidump';

/** Validates every item of `raw`; throws `EnvelopeError` (→ 400) on the first bad one. */
export function prepareEnvelope(projectId: string, raw: RawEnvelope): PreparedEnvelope {
  const items = raw.items.map((item, index): PreparedItem => {
    const { type } = item.headers;
    if (type === 'attachment') {
      return { type, headers: item.headers, file: describeFile(item.headers, item.payload) };
    }
    if (JSON_ITEM_TYPES.has(type)) {
      const payload = parseJsonPayload(item, index);
      if ((type === 'event' || type === 'session' || type === 'transaction') && !isObject(payload)) {
        throw new EnvelopeError(`item ${index} ("${type}") payload is not a JSON object`);
      }
      return { type, headers: item.headers, payload };
    }
    // Unknown item types are stored as they are: parsed when they are JSON
    // (most are), else as a file so no byte is lost.
    try {
      return { type, headers: item.headers, payload: JSON.parse(item.payload.toString('utf8')) };
    } catch {
      return { type, headers: item.headers, file: describeFile(item.headers, item.payload) };
    }
  });
  return { projectId, envelopeHeaders: raw.headers, items };
}

/** Wraps a legacy /store/ request body (one JSON event) as a prepared envelope. */
export function prepareStoreEvent(projectId: string, body: Buffer): PreparedEnvelope {
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    throw new EnvelopeError('store body is not valid JSON');
  }
  if (!isObject(event)) throw new EnvelopeError('store body is not a JSON object');
  const envelopeHeaders: Record<string, unknown> = {};
  if (typeof event['event_id'] === 'string') envelopeHeaders['event_id'] = event['event_id'];
  const type = event['type'] === 'transaction' ? 'transaction' : 'event';
  return { projectId, envelopeHeaders, items: [{ type, headers: { type }, payload: event }] };
}

/** True when the envelope carries a minidump, which earns the larger size limit. */
export function carriesMinidump(raw: RawEnvelope): boolean {
  return raw.items.some((i) => i.headers.type === 'attachment' && i.headers['attachment_type'] === MINIDUMP_ATTACHMENT_TYPE);
}

function describeFile(headers: Record<string, unknown>, bytes: Buffer): PreparedFile {
  const file: PreparedFile = { bytes };
  if (typeof headers['filename'] === 'string') file.filename = headers['filename'];
  if (typeof headers['attachment_type'] === 'string') file.attachmentType = headers['attachment_type'];
  if (typeof headers['content_type'] === 'string') file.contentType = headers['content_type'];
  return file;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Sentry envelope parsing (https://develop.sentry.dev/sdk/data-model/envelopes/):
 * a JSON header line, then items, each a JSON header line and a payload that
 * is either `length` bytes (followed by an optional newline) or, without
 * `length`, everything up to the next newline or the end of the body.
 */

/** Raised for a body that is not a well-formed envelope; `message` is one line. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** One item of a parsed envelope, its payload still raw bytes. */
export interface RawItem {
  headers: Record<string, unknown> & { type: string };
  payload: Buffer;
}

/** A parsed envelope: headers plus its items, in order. */
export interface RawEnvelope {
  headers: Record<string, unknown>;
  items: RawItem[];
}

const NEWLINE = 0x0a;

/**
 * Parses a complete envelope body. Throws `EnvelopeError` with a one-line
 * reason for anything malformed; never returns a partial envelope.
 */
export function parseEnvelope(body: Buffer): RawEnvelope {
  if (body.length === 0) throw new EnvelopeError('empty body');
  let pos = 0;
  const readLine = (): Buffer => {
    const end = body.indexOf(NEWLINE, pos);
    const line = body.subarray(pos, end === -1 ? body.length : end);
    pos = end === -1 ? body.length : end + 1;
    return line;
  };

  const headers = parseHeaderLine(readLine(), 'envelope header');
  const items: RawItem[] = [];
  while (pos < body.length) {
    const index = items.length;
    const headerLine = readLine();
    // Tolerate blank lines between items and a trailing newline.
    if (headerLine.length === 0 || (headerLine.length === 1 && headerLine[0] === 0x0d)) continue;
    const itemHeaders = parseHeaderLine(headerLine, `item ${index} header`);
    const type = itemHeaders['type'];
    if (typeof type !== 'string' || type.length === 0) {
      throw new EnvelopeError(`item ${index} header has no "type"`);
    }
    const length = itemHeaders['length'];
    let payload: Buffer;
    if (length === undefined || length === null) {
      payload = readLine();
    } else {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
        throw new EnvelopeError(`item ${index} ("${type}") has an invalid length ${JSON.stringify(length)}`);
      }
      if (pos + length > body.length) {
        throw new EnvelopeError(`item ${index} ("${type}") declares length ${length} but only ${body.length - pos} bytes follow`);
      }
      payload = body.subarray(pos, pos + length);
      pos += length;
      if (pos < body.length) {
        if (body[pos] !== NEWLINE) {
          throw new EnvelopeError(`item ${index} ("${type}") payload is not followed by a newline`);
        }
        pos += 1;
      }
    }
    items.push({ headers: itemHeaders as RawItem['headers'], payload });
  }
  return { headers, items };
}

function parseHeaderLine(line: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    throw new EnvelopeError(`${what} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EnvelopeError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Item types whose payload must be JSON: a malformed one rejects the whole
 * envelope (400) rather than storing something readers cannot use.
 */
export const JSON_ITEM_TYPES: ReadonlySet<string> = new Set([
  'event',
  'transaction',
  'session',
  'sessions',
  'client_report',
  'user_report',
  'feedback',
  'check_in',
  'log',
  'span',
]);

/** Parses a JSON payload of an item whose type requires one. */
export function parseJsonPayload(item: RawItem, index: number): unknown {
  try {
    return JSON.parse(item.payload.toString('utf8'));
  } catch {
    throw new EnvelopeError(`item ${index} ("${item.headers.type}") payload is not valid JSON`);
  }
}

/**
 * A strict multipart/form-data reader for the minidump endpoint (Crashpad
 * and Breakpad upload crash reports as forms). Whole body in memory, which
 * the size limit already bounds.
 */
import { EnvelopeError } from './envelope.js';

/** One form part: a field (`filename` undefined) or a file. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Extracts the boundary from a Content-Type; throws EnvelopeError (→ 400) when it is not a multipart form. */
export function formBoundary(contentType: string | undefined): string {
  const match = /^\s*multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new EnvelopeError(`expected a multipart/form-data body with a boundary, got Content-Type ${JSON.stringify(contentType ?? '')}`);
  return boundary;
}

/** Splits a multipart body into its parts; throws EnvelopeError with a one-line reason when malformed. */
export function parseForm(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw new EnvelopeError('multipart body has no boundary line');
  const parts: FormPart[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return parts;
    if (body.subarray(pos, pos + 2).toString('latin1') !== '\r\n') throw new EnvelopeError(`multipart part ${parts.length} boundary is not followed by CRLF`);
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos, 'latin1');
    if (headerEnd === -1) throw new EnvelopeError(`multipart part ${parts.length} has no end of headers`);
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('utf8'));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    if (next === -1) throw new EnvelopeError(`multipart part ${parts.length} is not terminated by a boundary`);
    const disposition = headers.get('content-disposition') ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (!/^\s*form-data/i.test(disposition) || name === undefined) {
      throw new EnvelopeError(`multipart part ${parts.length} has no form-data name`);
    }
    const part: FormPart = { name, data: body.subarray(dataStart, next) };
    const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) part.filename = filename;
    const contentType = headers.get('content-type');
    if (contentType) part.contentType = contentType;
    parts.push(part);
    pos = next + 2;
  }
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

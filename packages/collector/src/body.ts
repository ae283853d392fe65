/**
 * Reading a request body under a byte limit, and undoing its
 * Content-Encoding (gzip, deflate) under the same limit so a small
 * compressed bomb cannot exhaust memory.
 */
import type { IncomingMessage } from 'node:http';
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { HttpError } from './http.js';

/**
 * Reads the whole body; rejects with HttpError 413 as soon as more than
 * `limit` bytes are announced or arrive (the rest is not buffered).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    return Promise.reject(new HttpError(413, `body of ${announced} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        reject(new HttpError(413, `body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      reject(new HttpError(400, 'request body ended before it was complete (client aborted)'));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, `request body could not be read: ${error.message}`));
    });
  });
}

/** Decodes `body` per its Content-Encoding; 400 for bad or unknown encodings, 413 past `limit`. */
export function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  const options = { maxOutputLength: limit };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body, options);
    if (enc === 'deflate') {
      // HTTP "deflate" is zlib-wrapped, but some clients send raw deflate.
      try {
        return inflateSync(body, options);
      } catch (error) {
        if (isTooLarge(error)) throw error;
        return inflateRawSync(body, options);
      }
    }
  } catch (error) {
    if (isTooLarge(error)) throw new HttpError(413, `decompressed body exceeds the limit of ${limit} bytes`);
    throw new HttpError(400, `body is not valid ${enc} data`);
  }
  throw new HttpError(415, `unsupported Content-Encoding "${enc}" (expected gzip, deflate or identity)`);
}

function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';
}

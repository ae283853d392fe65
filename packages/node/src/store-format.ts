/**
 * The on-disk form of one Store value: a one-line header, then the payload.
 *   `CF1 <s|b> <length> <crc32 hex> [<writer>]\n<payload>`
 * `s` is UTF-8 text, `b` bytes. Length and CRC-32 catch truncated or
 * scribbled files; `writer` (optional, base64url) names the run that wrote
 * the value, so runs sharing a data dir can tell their files apart.
 */
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import type { StoreValue } from '@crashfree/core';

const MAGIC = 'CF1';
const MAX_HEADER = 1024;

/** Serializes `value` with its header (and the writer tag, when given). */
export function encodeValue(value: StoreValue, writer?: string): Uint8Array {
  const kind = typeof value === 'string' ? 's' : 'b';
  const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const tag = writer ? ` ${writer}` : '';
  const header = Buffer.from(`${MAGIC} ${kind} ${payload.length} ${crc32(payload).toString(16)}${tag}\n`, 'latin1');
  return Buffer.concat([header, payload]);
}

/** Parses what {@link encodeValue} wrote; a reason string when the bytes are not a whole, intact value. */
export function decodeValue(bytes: Buffer): StoreValue | { corrupt: string } {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0 || newline > MAX_HEADER) return { corrupt: 'no header' };
  const [magic, kind, lengthText, crcText] = bytes.subarray(0, newline).toString('latin1').split(' ');
  if (magic !== MAGIC || (kind !== 's' && kind !== 'b') || lengthText === undefined || crcText === undefined) {
    return { corrupt: 'unknown header' };
  }
  const payload = bytes.subarray(newline + 1);
  if (payload.length !== Number(lengthText)) return { corrupt: `length ${payload.length}, header says ${lengthText}` };
  if (crc32(payload).toString(16) !== crcText) return { corrupt: 'checksum mismatch' };
  return kind === 's' ? payload.toString('utf8') : new Uint8Array(payload);
}

/** The writer tag in `file`'s header, read without loading the payload; undefined when absent or unreadable. */
export function readWriter(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(MAX_HEADER);
    const n = fs.readSync(fd, head, 0, MAX_HEADER, 0);
    const newline = head.subarray(0, n).indexOf(0x0a);
    if (newline < 0) return undefined;
    const fields = head.subarray(0, newline).toString('latin1').split(' ');
    return fields[0] === MAGIC ? fields[4] : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

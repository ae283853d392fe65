import type { StoreValue } from '@crashfree/core';

// Both AsyncStorage and MMKV keep strings, but a Store may hold bytes
// (envelopes with binary attachments). A one-character tag tells them apart
// so a text value can never be mistaken for bytes, whatever it contains.
const TEXT = 't';
const BYTES = 'b';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Serialises a Store value into a tagged string. */
export function encodeValue(value: StoreValue): string {
  return typeof value === 'string' ? TEXT + value : BYTES + toBase64(value);
}

/**
 * Reads a tagged string back; an entry that is not in this format (written
 * by something else, or truncated) reads as absent rather than throwing.
 */
export function decodeValue(raw: string): StoreValue | undefined {
  const tag = raw.charAt(0);
  if (tag === TEXT) return raw.slice(1);
  if (tag === BYTES) return fromBase64(raw.slice(1));
  return undefined;
}

// Hermes has no Buffer and older versions no atob/btoa, so base64 is done by hand.
function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text.charAt(i + j);
      const v = ch === '=' ? 0 : B64.indexOf(ch);
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

import { getMainCarrier, SDK_VERSION } from '@sentry/core';

/** UTF-8 bytes of `text` without TextEncoder (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

const isCont = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80;

/** Text of UTF-8 `bytes` without TextDecoder (an invalid or truncated sequence becomes one U+FFFD, as TextDecoder does). */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need <= 0) {
      out += need === 0 ? String.fromCharCode(b) : '\ufffd';
      i += 1;
      continue;
    }
    // The second byte's range excludes overlong forms and surrogates (E0, ED, F0, F4 limits).
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    let cp = b & (need === 1 ? 31 : need === 2 ? 15 : 7);
    let n = 1;
    for (; n <= need; n++) {
      const next = bytes[i + n];
      if (!isCont(next) || (n === 1 && (next! < lo || next! > hi))) break;
      cp = (cp << 6) | (next! & 63);
    }
    if (n <= need) {
      out += '\ufffd';
      i += n;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/**
 * Gives @sentry/core's envelope code UTF-8 helpers on engines without
 * TextEncoder/TextDecoder (older Hermes, JSC): without them the durable queue
 * cannot serialize binary envelopes or read persisted ones back on the next
 * launch. Uses Sentry's own carrier hooks (no globals touched) and only fills
 * what the engine lacks; `createClient` calls it.
 */
export function installUtf8Fallback(): void {
  const g = globalThis as { TextEncoder?: unknown; TextDecoder?: unknown };
  if (typeof g.TextEncoder === 'function' && typeof g.TextDecoder === 'function') return;
  const main = getMainCarrier() as { __SENTRY__?: Record<string, Record<string, unknown> | undefined> };
  const sentry = (main.__SENTRY__ ??= {});
  const carrier = (sentry[SDK_VERSION] ??= {});
  if (typeof g.TextEncoder !== 'function') carrier.encodePolyfill ??= utf8Encode;
  if (typeof g.TextDecoder !== 'function') carrier.decodePolyfill ??= utf8Decode;
}

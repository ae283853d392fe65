import { getMainCarrier, SDK_VERSION as SENTRY_VERSION } from '@sentry/core';

/** UTF-8 encoding without TextEncoder (lone surrogates become U+FFFD, as TextEncoder does). */
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

/** UTF-8 decoding without TextDecoder (invalid sequences become U+FFFD). */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let cp = 0xfffd;
    let n = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && i + 1 < bytes.length) [cp, n] = [((b & 31) << 6) | (bytes[i + 1]! & 63), 2];
    else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length) [cp, n] = [((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63), 3];
    else if (b >= 0xf0 && b < 0xf5 && i + 3 < bytes.length) {
      [cp, n] = [((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63), 4];
    }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

/**
 * Gives @sentry/core's envelope code UTF-8 helpers on engines without
 * TextEncoder/TextDecoder (older Hermes, JSC): without them a persisted
 * envelope cannot be parsed back on the next launch. Uses Sentry's own
 * carrier hooks, so it only fills what the engine lacks.
 */
export function installUtf8Polyfills(): void {
  const g = globalThis as { TextEncoder?: unknown; TextDecoder?: unknown };
  if (typeof g.TextEncoder === 'function' && typeof g.TextDecoder === 'function') return;
  const main = getMainCarrier() as { __SENTRY__?: Record<string, Record<string, unknown> | undefined> };
  const sentry = (main.__SENTRY__ ??= {});
  const carrier = (sentry[SENTRY_VERSION] ??= {});
  if (typeof g.TextEncoder !== 'function') carrier.encodePolyfill ??= utf8Encode;
  if (typeof g.TextDecoder !== 'function') carrier.decodePolyfill ??= utf8Decode;
}

import type { DataCategory, Envelope } from '@sentry/core';
import { dataCategory } from './envelope.js';
import type { StoreValue } from './types.js';

/** The rate-limit category of every item, in order (one per item, repeats kept: client reports count items). */
export function categoriesOf(envelope: Envelope): DataCategory[] {
  return envelope[1].map((item) => dataCategory(item[0].type));
}

/** Size in bytes of a serialized envelope; for text, its UTF-8 size without encoding it a second time. */
export function byteLength(body: StoreValue): number {
  if (typeof body !== 'string') return body.length;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair is one 4-byte code point
      i += 1;
    } else n += 3;
  }
  return n;
}

/** The sids of the session updates in `envelope` that carry `init: true`. */
export function initSessionIds(envelope: Envelope): string[] {
  const sids: string[] = [];
  for (const [header, payload] of envelope[1]) {
    const s = payload as { init?: unknown; sid?: unknown };
    if (header.type === 'session' && s.init === true && typeof s.sid === 'string') sids.push(s.sid);
  }
  return sids;
}

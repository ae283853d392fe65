import { SDK_VERSION, type Attachment, type DsnComponents, type Envelope, type Event, type SdkMetadata } from '@sentry/core';
import { eventEnvelope, json, type EnvelopeCodec } from './envelope.js';
import type { StoreValue } from './types.js';

/**
 * Envelopes with binary payloads (a crash event and its minidump): an
 * envelope whose payloads are all text stays a string, as with `textCodec`;
 * one with binary payloads becomes bytes, each binary item's header carrying
 * its `length`, as Sentry's SDKs write them. Node and React Native queue
 * through this codec; the lite client (pages) never needs it.
 */

/**
 * UTF-8 hooks for engines without TextEncoder/TextDecoder, where
 * `installUtf8Fallback` (createClient) put them: Sentry's carrier, so
 * @sentry/core's own envelope code finds them too. Browsers never need them.
 */
const polyfill = (): { encodePolyfill?: (t: string) => Uint8Array; decodePolyfill?: (b: Uint8Array) => string } | undefined =>
  (globalThis as { __SENTRY__?: Record<string, never> }).__SENTRY__?.[SDK_VERSION];
const encode = (text: string): Uint8Array => (typeof TextEncoder === 'function' ? new TextEncoder().encode(text) : polyfill()!.encodePolyfill!(text));
const decode = (bytes: Uint8Array): string => (typeof TextDecoder === 'function' ? new TextDecoder().decode(bytes) : polyfill()!.decodePolyfill!(bytes));

/** The wire form of `envelope`: a string when every payload is text, else bytes. */
export function serializeEnvelope(envelope: Envelope): StoreValue {
  const parts: Array<string | Uint8Array> = [json(envelope[0])];
  for (const [header, payload] of envelope[1] as Array<[unknown, unknown]>) {
    parts.push(`\n${json(header)}\n`, typeof payload === 'string' || payload instanceof Uint8Array ? payload : json(payload));
  }
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  const chunks = parts.map((p) => (typeof p === 'string' ? encode(p) : p));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Reads a serialized envelope back; throws on text that is not one (callers skip such entries). */
export function parseEnvelope(body: StoreValue): Envelope {
  const items: Array<[Record<string, unknown>, unknown]> = [];
  // Bytes, since a binary item's `length` counts bytes.
  let rest = typeof body === 'string' ? encode(body) : body;
  const take = (n: number): Uint8Array => {
    const chunk = rest.subarray(0, n);
    rest = rest.subarray(n + 1);
    return chunk;
  };
  const line = (): Record<string, unknown> => {
    const end = rest.indexOf(10);
    return JSON.parse(decode(take(end < 0 ? rest.length : end))) as Record<string, unknown>;
  };
  const header = line();
  while (rest.length) {
    const itemHeader = line();
    items.push([itemHeader, typeof itemHeader.length === 'number' && itemHeader.length > 0 ? take(itemHeader.length) : line()]);
  }
  return [header, items] as unknown as Envelope;
}


/** The durable queue's codec for envelopes that may carry binary payloads. */
export const bytesCodec: EnvelopeCodec = { serialize: serializeEnvelope, parse: parseEnvelope };

/** An event envelope with `attachments` as further items (a crash event and its minidump). */
export function crashEnvelope(event: Event, attachments: Attachment[] | undefined, _dsn: DsnComponents | undefined, metadata: SdkMetadata | undefined): Envelope {
  const env = eventEnvelope(event, metadata) as unknown as [unknown, unknown[]];
  for (const a of attachments ?? []) {
    const data = typeof a.data === 'string' ? encode(a.data) : a.data;
    env[1].push([{ type: 'attachment', length: data.length, filename: a.filename, content_type: a.contentType, attachment_type: a.attachmentType }, data]);
  }
  return env as unknown as Envelope;
}


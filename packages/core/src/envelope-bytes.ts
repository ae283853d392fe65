import { parseEnvelope, SDK_VERSION, serializeEnvelope, type Attachment, type DsnComponents, type Envelope, type Event, type SdkMetadata } from '@sentry/core';
import { eventEnvelope, type EnvelopeCodec } from './envelope.js';

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
const polyfill = (): { encodePolyfill?: (t: string) => Uint8Array } | undefined =>
  (globalThis as { __SENTRY__?: Record<string, never> }).__SENTRY__?.[SDK_VERSION];
const encode = (text: string): Uint8Array => (typeof TextEncoder === 'function' ? new TextEncoder().encode(text) : polyfill()!.encodePolyfill!(text));

/**
 * The durable queue's codec for `createClient` (Node, React Native):
 * @sentry/core's own envelope serialisation, which keeps an envelope of text
 * payloads a string and writes binary items as bytes after their header.
 */
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


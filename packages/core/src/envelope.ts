import { SDK_VERSION, type Attachment, type ClientReport, type DataCategory, type DsnComponents, type Envelope, type Event, type SdkMetadata } from '@sentry/core';
import type { StoreValue } from './types.js';

/**
 * Sentry's envelope format (https://develop.sentry.dev/sdk/data-model/envelopes/)
 * written and read without @sentry/core's runtime code, so size-bound bundles
 * (the browser) carry none of it: a JSON header line, then per item a JSON
 * header line and its payload. Text envelopes stay strings; an envelope with
 * binary payloads (minidumps) becomes bytes, each binary item's header
 * carrying its `length`, as Sentry's SDKs write them.
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

/** JSON of a payload; a cyclic one (only user data can be) has its cycles cut instead of failing the envelope. */
function json(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    const seen = new WeakSet<object>();
    return JSON.stringify(value, (_, v: unknown) => {
      if (typeof v !== 'object' || v === null) return typeof v === 'bigint' ? String(v) : v;
      if (seen.has(v)) return '[Circular ~]';
      seen.add(v);
      return v;
    });
  }
}

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

/** Item types whose rate-limit category has another name (Sentry's data categories). */
const CATEGORY: Record<string, DataCategory> = {
  sessions: 'session',
  event: 'error',
  client_report: 'internal',
  user_report: 'default',
  profile_chunk: 'profile',
  replay_event: 'replay',
  replay_recording: 'replay',
  check_in: 'monitor',
  raw_security: 'security',
  log: 'log_item',
  metric: 'trace_metric',
};

/** The rate-limit category of an envelope item type (`event` -> `error`, `session` -> `session`). */
export const dataCategory = (type: string): DataCategory => CATEGORY[type] ?? (type as DataCategory);

/** Envelope headers every session and event envelope carries: when it was made and which SDK made it. */
function headers(metadata: SdkMetadata | undefined): Record<string, unknown> {
  const sdk = metadata?.sdk;
  return { sent_at: new Date().toISOString(), ...(sdk && { sdk: { name: sdk.name, version: sdk.version } }) };
}

/** A one-item envelope for `event` (item type `event`, or the event's own type such as `transaction`). */
export function eventEnvelope(event: Event, metadata: SdkMetadata | undefined): Envelope {
  const { sdkProcessingMetadata: _, ...payload } = event;
  const sdk = metadata?.sdk;
  if (sdk) payload.sdk = { ...sdk, ...payload.sdk, name: payload.sdk?.name || sdk.name, version: payload.sdk?.version || sdk.version };
  const type = event.type && event.type !== 'replay_event' ? event.type : 'event';
  return [{ event_id: event.event_id, ...headers(metadata) }, [[{ type }, payload]]] as unknown as Envelope;
}

/** An event envelope with `attachments` as further items (a crash event and its minidump). */
export function crashEnvelope(event: Event, attachments: Attachment[] | undefined, _dsn: DsnComponents | undefined, metadata: SdkMetadata | undefined): Envelope {
  const env = eventEnvelope(event, metadata) as unknown as [unknown, unknown[]];
  for (const a of attachments ?? []) {
    const data = typeof a.data === 'string' ? encode(a.data) : a.data;
    env[1].push([{ type: 'attachment', length: data.length, filename: a.filename, content_type: a.contentType, attachment_type: a.attachmentType }, data]);
  }
  return env as unknown as Envelope;
}

/** A one-item envelope of `type` (`session` or `sessions`) carrying `payload`. */
export function sessionsEnvelope(type: 'session' | 'sessions', payload: object, metadata: SdkMetadata | undefined): Envelope {
  return [headers(metadata), [[{ type }, payload]]] as unknown as Envelope;
}

/** A client-report envelope counting `discarded` (https://develop.sentry.dev/sdk/telemetry/client-reports/). */
export function clientReportEnvelope(discarded: ClientReport['discarded_events'], timestamp: number): Envelope {
  return [{}, [[{ type: 'client_report' }, { timestamp, discarded_events: discarded }]]] as unknown as Envelope;
}

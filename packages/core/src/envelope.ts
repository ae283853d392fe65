import type { ClientReport, DataCategory, Envelope, Event, SdkMetadata } from '@sentry/core';
import { normalize } from './normalize.js';
import type { StoreValue } from './types.js';

/**
 * Sentry's envelope format (https://develop.sentry.dev/sdk/data-model/envelopes/)
 * written and read without @sentry/core's runtime code, so size-bound bundles
 * (the browser) carry none of it: a JSON header line, then per item a JSON
 * header line and its payload. This module builds envelopes and has the text
 * codec; envelopes with binary payloads (minidumps) are envelope-bytes.ts's.
 */

/** How the durable queue turns envelopes into stored values and back. */
export interface EnvelopeCodec {
  serialize(envelope: Envelope): StoreValue;
  /** Throws on a value that is not an envelope (callers skip such entries). */
  parse(body: StoreValue): Envelope;
}

/**
 * JSON of a payload; one that JSON refuses (a cycle or a bigint: only user
 * data can have them) is normalized first, as Sentry's SDKs mark such values,
 * instead of failing the envelope.
 */
export function json(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(normalize(value));
  }
}

/**
 * The codec of envelopes whose payloads are all JSON (events, sessions,
 * client reports: everything a page sends), as text: the same bytes as
 * @sentry/core's `serializeEnvelope` writes for them (what `createClient`
 * queues through, `bytesCodec`), without its binary machinery.
 */
export const textCodec: EnvelopeCodec = {
  serialize: (envelope) => [envelope[0], ...envelope[1].flat()].map((part) => (typeof part === 'string' ? part : json(part))).join('\n'),
  parse(body) {
    // Bytes are no text envelope: `split` throws and the caller skips the entry.
    const [header, ...lines] = (body as string)
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) items.push([lines[i], lines[i + 1]]);
    return [header, items] as unknown as Envelope;
  },
};

/**
 * Item types whose rate-limit category has another name (Sentry's data
 * categories), for the item types crashfree queues; the others it queues
 * (`session`, `attachment`, `transaction`) are named as their category.
 */
const CATEGORY: Record<string, DataCategory> = { sessions: 'session', event: 'error', client_report: 'internal' };

/** The rate-limit category of an envelope item type (`event` -> `error`, `session` -> `session`). */
export const dataCategory = (type: string): DataCategory => CATEGORY[type] ?? (type as DataCategory);

/** Envelope headers every session and event envelope carries: when it was made and which SDK made it. */
function headers(metadata: SdkMetadata | undefined): Record<string, unknown> {
  const sdk = metadata?.sdk;
  return { sent_at: new Date().toISOString(), ...(sdk && { sdk: { name: sdk.name, version: sdk.version } }) };
}

/**
 * A one-item envelope for the error event `event` (what crashfree itself
 * sends: captured errors, crash events; transactions and replays are
 * @sentry/core's own envelopes and never come here).
 */
export function eventEnvelope(event: Event, metadata: SdkMetadata | undefined): Envelope {
  const { sdkProcessingMetadata: _, ...payload } = event;
  const sdk = metadata?.sdk;
  if (sdk) payload.sdk = { ...sdk, ...payload.sdk, name: payload.sdk?.name || sdk.name, version: payload.sdk?.version || sdk.version };
  return [{ event_id: event.event_id, ...headers(metadata) }, [[{ type: 'event' }, payload]]] as unknown as Envelope;
}

/** A one-item envelope of `type` (`session` or `sessions`) carrying `payload`. */
export function sessionsEnvelope(type: 'session' | 'sessions', payload: object, metadata: SdkMetadata | undefined): Envelope {
  return [headers(metadata), [[{ type }, payload]]] as unknown as Envelope;
}

/** A client-report envelope counting `discarded` (https://develop.sentry.dev/sdk/telemetry/client-reports/). */
export function clientReportEnvelope(discarded: ClientReport['discarded_events'], timestamp: number): Envelope {
  return [{}, [[{ type: 'client_report' }, { timestamp, discarded_events: discarded }]]] as unknown as Envelope;
}

// The core writes Sentry's wire formats itself (so the browser bundle carries
// no @sentry/core runtime code). @sentry/core's own helpers are the oracle
// here: the same input must give the same bytes, URLs, session payloads,
// rate limits and normalized data.
import {
  createAttachmentEnvelopeItem,
  addItemToEnvelope,
  createEventEnvelope,
  getEnvelopeEndpointWithUrlEncodedAuth,
  makeDsn,
  makeSession,
  normalize as sentryNormalize,
  parseEnvelope as sentryParse,
  serializeEnvelope as sentrySerialize,
  updateRateLimits,
  updateSession,
  type Envelope,
} from '@sentry/core';
import { describe, expect, it } from 'vitest';
import { envelopeUrl, parseDsn } from '../src/dsn.js';
import { dataCategory, eventEnvelope, textCodec } from '../src/envelope.js';
import { bytesCodec, crashEnvelope } from '../src/envelope-bytes.js';
import { normalize } from '../src/normalize.js';
import { createSendGate } from '../src/send-gate.js';
import { toSessionItem, type PersistedSession } from '../src/session-state.js';
import { uuid4 } from '../src/uuid.js';

const metadata = { sdk: { name: 'crashfree.javascript.browser', version: '1.2.3' } };
const withoutSentAt = (env: Envelope): unknown => [{ ...env[0], sent_at: 'x' }, env[1]];

describe('envelopes', () => {
  it('the text codec writes text envelopes exactly as @sentry/core does, and reads them back as it does', () => {
    const env = [{ event_id: 'a'.repeat(32), sent_at: '2026-01-01T00:00:00.000Z' }, [[{ type: 'event' }, { message: 'naïve ✓ 😀', extra: { n: 1 } }], [{ type: 'session' }, { sid: 's', seq: 2 }]]] as unknown as Envelope;
    const theirs = sentrySerialize(env);
    expect(textCodec.serialize(env)).toBe(theirs);
    expect(textCodec.parse(theirs)).toEqual(sentryParse(theirs));
    // createClient's codec is @sentry/core's own: the same text, read back the same.
    expect(bytesCodec.serialize(env)).toBe(theirs);
    expect(bytesCodec.parse(theirs)).toEqual(textCodec.parse(theirs));
  });

  it('a payload JSON refuses (a cycle, a bigint) is normalized instead of failing the envelope', () => {
    const extra: Record<string, unknown> = { big: 10n };
    extra.self = extra;
    const env = [{}, [[{ type: 'event' }, { event_id: 'd'.repeat(32), extra }]]] as unknown as Envelope;
    for (const text of [textCodec.serialize(env), bytesCodec.serialize(env)]) {
      expect(textCodec.parse(text)[1][0]![1]).toEqual({ event_id: 'd'.repeat(32), extra: { big: '[BigInt: 10]', self: '[Circular ~]' } });
    }
  });

  it('the text codec refuses what is not a text envelope (the queue then skips the entry)', () => {
    expect(() => textCodec.parse('{"event_id":"x"}\n{"type":"event"}\nnot json')).toThrow();
    expect(() => textCodec.parse(new Uint8Array([123, 125]))).toThrow();
  });

  it('serializes binary attachments byte for byte as @sentry/core does, and parses them back', () => {
    const event = { event_id: 'b'.repeat(32), level: 'fatal' as const, message: 'native crash' };
    const data = new Uint8Array([0, 1, 10, 255, 10, 13]);
    const attachment = { filename: 'upload.dmp', data, attachmentType: 'event.minidump' as const };
    const ours = crashEnvelope({ ...event }, [attachment], undefined, metadata);
    let theirs = createEventEnvelope({ ...event }, undefined, metadata);
    theirs = addItemToEnvelope(theirs, createAttachmentEnvelopeItem(attachment));
    // Same headers except the send time, same items (Sentry adds empty integration and package lists to event.sdk; we leave them out).
    const theirEvent = theirs[1][0]![1] as { sdk: Record<string, unknown> };
    theirEvent.sdk = { name: theirEvent.sdk.name, version: theirEvent.sdk.version };
    expect(withoutSentAt(ours)).toEqual(withoutSentAt(theirs));
    const bytes = bytesCodec.serialize(ours);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const same = sentrySerialize(theirs) as Uint8Array;
    // Byte for byte but the send time (both the same length).
    const sentAt = (b: Uint8Array): string => /"sent_at":"[^"]*"/.exec(new TextDecoder().decode(b))![0];
    expect(new TextDecoder().decode(bytes as Uint8Array).replace(sentAt(bytes as Uint8Array), '')).toBe(new TextDecoder().decode(same).replace(sentAt(same), ''));
    const back = bytesCodec.parse(bytes);
    expect(back[1][1]![1]).toEqual(data);
    expect(back[1][0]![1]).toMatchObject({ message: 'native crash', sdk: { name: 'crashfree.javascript.browser', version: '1.2.3' } });
  });

  it('event envelopes carry event_id, sent_at and the SDK in the header; no processing metadata in the payload', () => {
    const env = eventEnvelope({ event_id: 'c'.repeat(32), sdkProcessingMetadata: { secret: 1 } }, metadata);
    expect(env[0]).toEqual({ event_id: 'c'.repeat(32), sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), sdk: metadata.sdk });
    expect(env[1][0]![0]).toEqual({ type: 'event' });
    expect(env[1][0]![1]).not.toHaveProperty('sdkProcessingMetadata');
  });

  it('maps item types to rate-limit categories as Sentry does', () => {
    expect(['event', 'session', 'sessions', 'client_report', 'attachment', 'transaction'].map(dataCategory)).toEqual(['error', 'session', 'session', 'internal', 'attachment', 'transaction']);
  });

  it('refuses text that is not an envelope', () => {
    expect(() => bytesCodec.parse('not json\n{')).toThrow();
  });
});

describe('DSN and endpoint', () => {
  it.each(['https://public@o1.ingest.example.com/1', 'http://key@127.0.0.1:8123/42', 'https://k@host.example/some/path/7'])('%s gives the URL @sentry/core gives', (dsn) => {
    const sdk = { name: 'crashfree.javascript.browser', version: '0.1.0' };
    expect(envelopeUrl(parseDsn(dsn)!, undefined, sdk)).toBe(getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(dsn)!, undefined, sdk));
    expect(parseDsn(dsn)).toMatchObject({ ...makeDsn(dsn) });
  });

  it('uses the tunnel when one is set, and refuses what is not a DSN', () => {
    expect(envelopeUrl(parseDsn('https://k@h/1')!, 'https://app.example/tunnel', { name: 'a', version: '1' })).toBe('https://app.example/tunnel');
    expect(parseDsn('not a dsn')).toBeUndefined();
  });
});

describe('session updates', () => {
  it('match the payload of @sentry/core session helpers, plus seq', () => {
    const state: PersistedSession = {
      v: 1,
      sid: uuid4(),
      did: 'user-1',
      started: 1_700_000_000_123,
      timestamp: 1_700_000_004_623,
      status: 'abnormal',
      errors: 2,
      seq: 3,
      initQueued: true,
      release: 'web@1.0.0',
      environment: 'test',
      owner: {},
      abnormalMechanism: 'app_hang',
    };
    const session = makeSession();
    updateSession(session, {
      sid: state.sid,
      init: false,
      started: state.started / 1000,
      timestamp: state.timestamp / 1000,
      status: state.status,
      errors: state.errors,
      did: state.did,
      release: state.release,
      environment: state.environment,
      abnormal_mechanism: state.abnormalMechanism,
    });
    expect(JSON.stringify(toSessionItem(state, false))).toBe(JSON.stringify({ ...session.toJSON(), seq: 3 }));
  });
});

describe('rate limits', () => {
  const headers = [
    { statusCode: 429, headers: { 'x-sentry-rate-limits': '60:error;session:organization, 5::project' } },
    { statusCode: 429, headers: { 'retry-after': '7' } },
    { statusCode: 429, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' } },
    { statusCode: 429, headers: {} },
    { statusCode: 200, headers: { 'x-sentry-rate-limits': 'abc:error' } },
  ];
  it.each(headers)('hold each category as long as @sentry/core would (%j)', (response) => {
    const now = 1_445_412_000_000;
    const [limitedUntil, , , answered] = createSendGate({ now: () => now, random: () => 0, setTimeout: () => 0, clearTimeout: () => undefined }, { initialMs: 1000, maxMs: 60_000 });
    answered(response);
    const limits = updateRateLimits({}, response, now);
    for (const category of ['error', 'session', 'internal'] as const) {
      const end = limits[category] ?? limits.all ?? 0;
      expect(limitedUntil([category])).toBe(end > now ? end : 0);
    }
  });
});

describe('normalize', () => {
  it('bounds depth, breadth and cycles with the markers @sentry/core uses', () => {
    class Widget {
      public size = 3;
    }
    const cyclic: Record<string, unknown> = { a: { b: { c: { d: 1 } } }, list: [1, [2, [3]]], fn: function named() {}, nan: NaN, w: new Widget(), when: new Date(0) };
    cyclic.self = cyclic;
    for (const [depth, breadth] of [[3, 1000], [2, 2], [5, Infinity]] as const) {
      expect(normalize(cyclic, depth, breadth)).toEqual(sentryNormalize(cyclic, depth, breadth));
    }
    const error = new TypeError('bad');
    expect(normalize({ error }, 3)).toEqual(sentryNormalize({ error }, 3));
  });
});

describe('uuid4', () => {
  it('is 32 lower-case hex digits, version 4, and unique', () => {
    const ids = new Set(Array.from({ length: 100 }, () => uuid4()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});

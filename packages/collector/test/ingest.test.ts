import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync, deflateSync, deflateRawSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { bearer, envelope, EVENT_ID, freshCollector, inspect, keyOf, post, sampleEnvelope, authHeader } from './helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup(extra = {}) {
  const f = await freshCollector(extra);
  cleanup = f.cleanup;
  return f;
}

describe('envelope ingest', () => {
  it('stores event and session items with headers, payload and envelope headers', async () => {
    const { collector } = await setup();
    const res = await post(collector, sampleEnvelope());
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ id: EVENT_ID });
    const events = await inspect(collector, 'event');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'event', projectId: '1', headers: { type: 'event' }, envelopeHeaders: { event_id: EVENT_ID }, payload: { message: 'boom' } });
    expect(typeof events[0]!['receivedAt']).toBe('number');
    const sessions = await inspect(collector, 'session');
    expect(sessions.map((s) => s['payload'].status)).toEqual(['ok']);
    expect(collector.items()).toHaveLength(2);
  });

  it('accepts the key in the query string and a text/plain body (sendBeacon)', async () => {
    const { collector } = await setup();
    const res = await fetch(`${collector.url}/api/1/envelope/?sentry_key=${keyOf(collector)}&sentry_version=7`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: sampleEnvelope(),
    });
    expect(res.status).toBe(200);
    expect(await inspect(collector, 'event')).toHaveLength(1);
  });

  it('accepts items without length, with length, and binary attachments as files', async () => {
    const { collector } = await setup();
    const dump = Buffer.from([0x4d, 0x44, 0x4d, 0x50, 0x0a, 0x00, 0xff, 0x0a]);
    const body = envelope({ event_id: EVENT_ID }, [
      [{ type: 'event', length: 2 }, '{}'],
      [{ type: 'attachment', filename: 'crash.dmp', attachment_type: 'event.minidump', content_type: 'application/octet-stream' }, dump],
    ]);
    expect((await post(collector, body)).status).toBe(200);
    const [att] = await inspect(collector, 'attachment');
    expect(att!['attachment']).toMatchObject({ size: dump.length, filename: 'crash.dmp', attachmentType: 'event.minidump' });
    expect(await readFile(att!['attachment'].path)).toEqual(dump);
    const id = (att!['attachment'].path as string).split('/').pop();
    const download = await fetch(`${collector.url}/api/0/crashfree/attachments/${id}`, { headers: bearer(collector) });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(dump);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
  ])('decodes Content-Encoding %s', async (encoding, compress) => {
    const { collector } = await setup();
    const res = await post(collector, compress(sampleEnvelope()), { headers: { 'Content-Encoding': encoding } });
    expect(res.status).toBe(200);
    expect(await inspect(collector, 'event')).toHaveLength(1);
  });

  it('answers CORS preflight and adds CORS headers to ingest answers', async () => {
    const { collector } = await setup();
    const pre = await fetch(`${collector.url}/api/1/envelope/`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:1234', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1234');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const res = await post(collector, sampleEnvelope(), { headers: { Origin: 'http://127.0.0.1:1234' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1234');
  });

  it('stores an event from the legacy store endpoint', async () => {
    const { collector } = await setup();
    const res = await fetch(`${collector.url}/api/1/store/`, {
      method: 'POST',
      headers: { ...authHeader(keyOf(collector)), 'Content-Type': 'application/json' },
      body: JSON.stringify({ event_id: EVENT_ID, message: 'old sdk' }),
    });
    expect(res.status).toBe(200);
    const [event] = await inspect(collector, 'event');
    expect(event).toMatchObject({ type: 'event', payload: { message: 'old sdk' }, envelopeHeaders: { event_id: EVENT_ID } });
  });
});

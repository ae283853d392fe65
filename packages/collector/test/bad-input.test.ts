import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { authHeader, bearer, envelope, EVENT_ID, freshCollector, inspect, keyOf, post, sampleEnvelope } from './helpers.js';
import { startCollector } from '../src/index.js';

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

describe('refusals', () => {
  it('answers 401 for a missing or wrong key and stores nothing', async () => {
    const { collector } = await setup();
    const missing = await fetch(`${collector.url}/api/1/envelope/`, { method: 'POST', body: sampleEnvelope() });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ detail: expect.stringContaining('missing sentry_key') });
    const wrong = await post(collector, sampleEnvelope(), { headers: authHeader('0123456789abcdef0123456789abcdef') });
    expect(wrong.status).toBe(401);
    const wrongQuery = await fetch(`${collector.url}/api/1/envelope/?sentry_key=nope1234`, { method: 'POST', body: sampleEnvelope() });
    expect(wrongQuery.status).toBe(401);
    const store = await fetch(`${collector.url}/api/1/store/`, { method: 'POST', body: '{"message":"x"}' });
    expect(store.status).toBe(401);
    expect(collector.items()).toEqual([]);
  });

  it('takes the key from the envelope header dsn when the request carries none (tunnel)', async () => {
    const { collector } = await setup();
    const body = envelope({ event_id: EVENT_ID, dsn: collector.dsn }, [[{ type: 'event' }, { message: 'tunnelled' }]]);
    const res = await fetch(`${collector.url}/api/1/envelope/`, { method: 'POST', body });
    expect(res.status).toBe(200);
    const wrongDsn = envelope({ dsn: collector.dsn.replace(keyOf(collector), 'f'.repeat(32)) }, [[{ type: 'event' }, { message: 'x' }]]);
    expect((await fetch(`${collector.url}/api/1/envelope/`, { method: 'POST', body: wrongDsn })).status).toBe(401);
    expect(await inspect(collector, 'event')).toHaveLength(1);
  });

  it('answers 404 for an unknown project and for unknown routes', async () => {
    const { collector } = await setup();
    expect((await post(collector, sampleEnvelope(), { url: `${collector.url}/api/42/envelope/` })).status).toBe(404);
    expect((await fetch(`${collector.url}/nothing-here`, { headers: bearer(collector) })).status).toBe(404);
    // Without the token nothing answers but 401, not even whether a route exists.
    expect((await fetch(`${collector.url}/nothing-here`)).status).toBe(401);
    expect(collector.items()).toEqual([]);
  });

  it.each([
    ['an empty body', Buffer.alloc(0), 'empty body'],
    ['a header that is not JSON', Buffer.from('{"event_id":\n'), 'envelope header is not valid JSON'],
    ['a header that is an array', Buffer.from('[1,2]\n'), 'envelope header is not a JSON object'],
    ['an item header without type', Buffer.from('{}\n{"length":2}\n{}\n'), 'item 0 header has no "type"'],
    ['an item header that is not JSON', Buffer.from('{}\n{"type":"event"\n{}\n'), 'item 0 header is not valid JSON'],
    ['a length past the end', Buffer.from('{}\n{"type":"attachment","length":100}\nabc\n'), 'declares length 100'],
    ['a negative length', Buffer.from('{}\n{"type":"attachment","length":-1}\nabc\n'), 'invalid length -1'],
    ['a payload not followed by newline', Buffer.from('{}\n{"type":"attachment","length":2}\nabc\n'), 'not followed by a newline'],
    ['an event payload that is not JSON', Buffer.from('{}\n{"type":"event"}\n{oops\n'), 'item 0 ("event") payload is not valid JSON'],
    ['an event payload that is not an object', Buffer.from('{}\n{"type":"event"}\n[1]\n'), 'payload is not a JSON object'],
  ])('answers 400 with a one-line reason for %s', async (_name, body, reason) => {
    const { collector } = await setup();
    const res = await post(collector, body);
    expect(res.status).toBe(400);
    const { detail } = JSON.parse(res.text) as { detail: string };
    expect(detail).toContain(reason);
    expect(detail).not.toContain('\n');
    expect(res.headers.get('x-sentry-error')).toContain('malformed envelope');
  });

  it('stores nothing of an envelope whose last item is malformed', async () => {
    const { collector, dataDir } = await setup();
    const good = sampleEnvelope();
    const body = Buffer.concat([
      good,
      Buffer.from('{"type":"attachment","filename":"a.txt","length":3}\nabc\n'),
      Buffer.from('{"type":"client_report"}\nnot json\n'),
    ]);
    expect((await post(collector, body)).status).toBe(400);
    expect(collector.items()).toEqual([]);
    expect(await readdir(path.join(dataDir, 'attachments'))).toEqual([]);
  });

  it('answers 400 for a body that is not valid gzip', async () => {
    const { collector } = await setup();
    const res = await post(collector, Buffer.from('definitely not gzip'), { headers: { 'Content-Encoding': 'gzip' } });
    expect(res.status).toBe(400);
  });

  it('answers 413 above the envelope limit, but lets a minidump envelope up to its larger limit', async () => {
    const { collector } = await setup({ maxEnvelopeBytes: 10_000, maxMinidumpEnvelopeBytes: 50_000 });
    const big = Buffer.alloc(20_000, 0x41);
    const plain = envelope({ event_id: EVENT_ID }, [[{ type: 'attachment', filename: 'big.txt' }, big]]);
    expect((await post(collector, plain)).status).toBe(413);
    const dump = envelope({ event_id: EVENT_ID }, [
      [{ type: 'event' }, { message: 'native crash' }],
      [{ type: 'attachment', filename: 'c.dmp', attachment_type: 'event.minidump' }, big],
    ]);
    expect((await post(collector, dump)).status).toBe(200);
    const tooBigDump = envelope({ event_id: 'c'.repeat(32) }, [
      [{ type: 'attachment', filename: 'c.dmp', attachment_type: 'event.minidump' }, Buffer.alloc(60_000)],
    ]);
    expect((await post(collector, tooBigDump)).status).toBe(413);
    expect((await inspect(collector, 'attachment')).map((a) => a['attachment'].size)).toEqual([20_000]);
  });

  it('answers 413 for a small compressed body that inflates past the limit (zip bomb)', async () => {
    const { collector } = await setup({ maxEnvelopeBytes: 10_000, maxMinidumpEnvelopeBytes: 20_000 });
    const bomb = gzipSync(envelope({}, [[{ type: 'attachment', filename: 'z' }, Buffer.alloc(1_000_000)]]));
    expect(bomb.length).toBeLessThan(5_000);
    const res = await post(collector, bomb, { headers: { 'Content-Encoding': 'gzip' } });
    expect(res.status).toBe(413);
    expect(collector.items()).toEqual([]);
  });

  it('answers 413 from Content-Length before reading a huge body', async () => {
    const { collector } = await setup({ maxEnvelopeBytes: 1000, maxMinidumpEnvelopeBytes: 2000 });
    const res = await post(collector, Buffer.alloc(1_000_000, 0x20));
    expect(res.status).toBe(413);
    // and it still serves the next request
    expect((await post(collector, sampleEnvelope())).status).toBe(200);
  });

  it('rejects wrong options with a message naming the option, value and expectation', async () => {
    await expect(startCollector({ port: 70000 })).rejects.toThrow('option "port" is 70000 (number); expected an integer from 0 to 65535');
    await expect(startCollector({ maxEnvelopeBytes: -1 })).rejects.toThrow('option "maxEnvelopeBytes" is -1');
    await expect(startCollector({ host: '' })).rejects.toThrow('option "host"');
    await expect(startCollector({ token: 'a b' })).rejects.toThrow('option "token" is "a b" (string)');
  });

  it('reports a port in use clearly', async () => {
    const { collector } = await setup();
    await expect(startCollector({ port: collector.port })).rejects.toThrow(`cannot listen on 127.0.0.1:${collector.port} (EADDRINUSE)`);
  });

  it('answers 429 with Retry-After and X-Sentry-Rate-Limits while a simulated rate limit lasts, storing nothing', async () => {
    const { collector } = await setup();
    collector.simulateRateLimit({ requests: 2, retryAfterSeconds: 30, rateLimits: '60:error;attachment:organization' });
    for (let i = 0; i < 2; i++) {
      const res = await post(collector, sampleEnvelope(), { headers: { Origin: 'http://127.0.0.1:9' } });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(res.headers.get('x-sentry-rate-limits')).toBe('60:error;attachment:organization');
      expect(res.headers.get('access-control-expose-headers')).toContain('X-Sentry-Rate-Limits');
    }
    expect(collector.items()).toEqual([]);
    expect((await post(collector, sampleEnvelope())).status).toBe(200);
    expect(() => collector.simulateRateLimit({ requests: 0 })).toThrow('"requests" is 0');
  });

  it('survives a client that aborts mid-body and one that sends garbage instead of HTTP', async () => {
    const { collector } = await setup();
    const aborted = connect(collector.port, '127.0.0.1');
    await new Promise<void>((r) => aborted.once('connect', () => r()));
    aborted.write(`POST /api/1/envelope/?sentry_key=${keyOf(collector)} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"event_id":`);
    await new Promise((r) => setTimeout(r, 50));
    aborted.destroy();

    const garbage = connect(collector.port, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      garbage.on('data', (d) => (text += d.toString()));
      garbage.on('close', () => resolve(text));
      garbage.on('error', () => resolve(text));
      garbage.write('\x00\x01 NOT HTTP AT ALL\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);

    expect((await post(collector, sampleEnvelope())).status).toBe(200);
    expect(collector.items()).toHaveLength(2);
  });
});

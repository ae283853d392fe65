// The durable queue: persistence before send, backoff, rate limits (counted
// requests: no retry storm), bounds, binary round-trips and corrupt entries.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import {
  addItemToEnvelope,
  createAttachmentEnvelopeItem,
  createEnvelope,
  createEventEnvelope,
  getEnvelopeEndpointWithUrlEncodedAuth,
  makeDsn,
  parseEnvelope,
  type Envelope,
} from '@sentry/core';
import { createMemoryStore, makeDurableTransport, type RequestExecutor, type Store, type TransportHttpRequest } from '@crashfree/core';
import { collector, httpExecutor, testClock } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const eventEnvelope = (i: number): Envelope => createEventEnvelope({ event_id: i.toString(16).padStart(32, '0'), message: `m${i}`, level: 'error' }, undefined, undefined);
const sessionEnvelopeOf = (i: number): Envelope =>
  createEnvelope({}, [[{ type: 'session' }, { sid: i.toString(16).padStart(32, 'a'), init: true, seq: 0, status: 'ok', errors: 0, started: new Date(0).toISOString(), timestamp: new Date(0).toISOString(), attrs: { release: 'r@1' } }]]);

function setup(opts: { makeRequest: RequestExecutor; store?: Store; url?: string; queue?: Partial<{ maxCount: number; maxBytes: number; maxAgeMs: number }> }) {
  const clock = testClock();
  const sent: string[] = [];
  const warnings: string[] = [];
  const store = opts.store ?? createMemoryStore();
  // What the queue reports as dropped: its client reports, delivered (seen on the wire with a 2xx) or still queued.
  const unitsOf = (body: string | Uint8Array): string[] =>
    parseEnvelope(body)[1].flatMap(([h, p]) =>
      h.type === 'client_report' ? (p as { discarded_events: Array<{ reason: string; category: string; quantity: number }> }).discarded_events.flatMap((d) => Array.from({ length: d.quantity }, () => `${d.reason}:${d.category}:1`)) : [],
    );
  const makeRequest: RequestExecutor = async (req) => {
    const answer = await opts.makeRequest(req);
    if (answer.statusCode >= 200 && answer.statusCode < 300) sent.push(...unitsOf(req.body));
    return answer;
  };
  const drops = async (): Promise<string[]> => {
    // The deletes of dropped entries run in the background: let them land first.
    await new Promise((r) => setTimeout(r, 10));
    const bodies = await Promise.all((await store.keys('queue/')).map((k) => store.get(k)));
    return [...sent, ...bodies.flatMap((b) => (b === undefined ? [] : unitsOf(b)))];
  };
  const transport = makeDurableTransport({
    url: opts.url ?? 'http://127.0.0.1:9/api/1/envelope/',
    store,
    makeRequest,
    queue: { maxCount: 100, maxBytes: 20 * 1024 * 1024, maxAgeMs: 30 * 24 * 3600_000, ...opts.queue },
    recordDroppedEvent: () => undefined,
    deps: { now: clock.now, random: () => 0.5, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    logger: { warn: (m: string) => void warnings.push(m) },
    backoff: { initialMs: 1000, maxMs: 60_000 },
  });
  return { transport, store, clock, drops, warnings };
}

/** An executor that records what it was asked and answers with `answer`. */
function recording(answer: (req: TransportHttpRequest, n: number) => Promise<{ statusCode: number; headers: Record<string, string> }>) {
  const seen: string[] = [];
  const exec: RequestExecutor = async (req) => {
    const [, items] = parseEnvelope(req.body);
    seen.push(items.map(([h]) => h.type).join('+'));
    return answer(req, seen.length);
  };
  return { exec, seen };
}

async function endpoint(): Promise<string> {
  c = await collector();
  return getEnvelopeEndpointWithUrlEncodedAuth(makeDsn(c.dsn)!);
}

describe('durable transport', () => {
  it('persists before sending and deletes after the 2xx', async () => {
    const url = await endpoint();
    let keysDuringRequest: string[] = [];
    const store = createMemoryStore();
    const { transport } = setup({ url, store, makeRequest: async (req) => ((keysDuringRequest = await store.keys('queue/')), httpExecutor(req)) });
    await transport.send(eventEnvelope(1));
    expect(await transport.flush(2000)).toBe(true);
    expect(keysDuringRequest).toHaveLength(1);
    expect(await store.keys()).toEqual([]);
    expect(c!.items({ type: 'event' })).toHaveLength(1);
  });

  it('backs off after a network error: one request while down, then everything in order', async () => {
    const url = await endpoint();
    let down = true;
    const { exec, seen } = recording(async (req) => {
      if (down) throw new Error('ECONNREFUSED');
      return httpExecutor(req) as Promise<{ statusCode: number; headers: Record<string, string> }>;
    });
    const { transport, clock, store } = setup({ url, makeRequest: exec });
    for (let i = 0; i < 10; i++) await transport.send(eventEnvelope(i));
    expect(await transport.flush(100)).toBe(false);
    expect(seen).toHaveLength(1);
    expect(await store.keys('queue/')).toHaveLength(10);
    clock.advance(400); // still inside the (jittered) first backoff of 500..1000 ms
    await transport.flush(100);
    expect(seen).toHaveLength(1);
    down = false;
    clock.advance(1000);
    expect(await transport.flush(2000)).toBe(true);
    expect(seen).toHaveLength(11);
    expect(c!.items({ type: 'event' }).map((e) => (e.payload as { message: string }).message)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    transport.dispose();
  });

  it('treats 5xx like a network error and doubles the backoff per failure', async () => {
    const { exec, seen } = recording(async () => ({ statusCode: 503, headers: {} }));
    const { transport, clock } = setup({ makeRequest: exec });
    await transport.send(eventEnvelope(1));
    await transport.flush(50);
    expect(seen).toHaveLength(1);
    clock.advance(1000);
    await transport.flush(50);
    expect(seen).toHaveLength(2);
    clock.advance(1000); // second backoff is 1000..2000 ms (jitter 0.5 → 1500)
    await transport.flush(50);
    expect(seen).toHaveLength(2);
    clock.advance(600);
    await transport.flush(50);
    expect(seen).toHaveLength(3);
    expect(transport.pending()).toBe(1);
    transport.dispose();
  });

  it('honours 429 Retry-After for queued retries too: no retry storm', async () => {
    const url = await endpoint();
    let limited = true;
    const { exec, seen } = recording(async (req) =>
      limited ? { statusCode: 429, headers: { 'retry-after': '30' } } : (httpExecutor(req) as Promise<{ statusCode: number; headers: Record<string, string> }>),
    );
    const { transport, clock } = setup({ url, makeRequest: exec });
    for (let i = 0; i < 5; i++) await transport.send(eventEnvelope(i));
    await transport.send(sessionEnvelopeOf(1));
    for (let k = 0; k < 5; k++) await transport.flush(20);
    expect(seen).toHaveLength(1);
    limited = false;
    clock.advance(29_000);
    await transport.flush(50);
    expect(seen).toHaveLength(1);
    clock.advance(1_001);
    expect(await transport.flush(2000)).toBe(true);
    expect(seen).toHaveLength(7); // the refused one is retried, nothing is lost
    expect(c!.items({ type: 'event' })).toHaveLength(5);
    expect(c!.items({ type: 'session' })).toHaveLength(1);
  });

  it('holds only the categories X-Sentry-Rate-Limits names', async () => {
    const url = await endpoint();
    const { exec, seen } = recording(async (req, n) => {
      const res = (await httpExecutor(req)) as { statusCode: number; headers: Record<string, string> };
      return n === 1 ? { statusCode: 429, headers: { 'x-sentry-rate-limits': '120:error;attachment:organization' } } : res;
    });
    const { transport, clock } = setup({ url, makeRequest: exec });
    await transport.send(eventEnvelope(0));
    await transport.flush(200);
    for (let i = 1; i < 4; i++) await transport.send(eventEnvelope(i));
    for (let i = 0; i < 3; i++) await transport.send(sessionEnvelopeOf(i));
    await transport.flush(500);
    expect(seen).toEqual(['event', 'session', 'session', 'session']);
    expect(c!.items({ type: 'session' })).toHaveLength(3);
    clock.advance(121_000);
    expect(await transport.flush(2000)).toBe(true);
    expect(seen.filter((s) => s === 'event')).toHaveLength(5);
  });

  it('drops the oldest beyond maxCount and maxBytes, reporting queue_overflow', async () => {
    const never: RequestExecutor = () => Promise.reject(new Error('offline'));
    const byCount = setup({ makeRequest: never, queue: { maxCount: 3 } });
    for (let i = 0; i < 5; i++) await byCount.transport.send(eventEnvelope(i));
    const kept = await Promise.all((await byCount.store.keys('queue/')).map(async (k) => String(await byCount.store.get(k))));
    expect(kept.filter((b) => !b.includes('client_report')).map((b) => /"m(\d)"/.exec(b)?.[1])).toEqual(['2', '3', '4']);
    expect(await byCount.drops()).toEqual(['queue_overflow:error:1', 'queue_overflow:error:1']);

    const bySize = setup({ makeRequest: never, queue: { maxBytes: 1024 } });
    const big = (i: number) => createEventEnvelope({ event_id: String(i).padStart(32, '0'), message: 'x'.repeat(300) }, undefined, undefined);
    for (let i = 0; i < 4; i++) await bySize.transport.send(big(i));
    // Two events and the report of the two dropped.
    expect(bySize.transport.pending()).toBe(3);
    expect(await bySize.drops()).toHaveLength(2);
    byCount.transport.dispose();
    bySize.transport.dispose();
  });

  it('drops envelopes older than maxAgeMs when a later run loads them', async () => {
    const store = createMemoryStore();
    const first = setup({ store, makeRequest: () => Promise.reject(new Error('offline')) });
    await first.transport.send(eventEnvelope(1));
    first.transport.dispose();
    const later = setup({ store, makeRequest: () => Promise.reject(new Error('offline')), queue: { maxAgeMs: 60_000 } });
    later.clock.advance(61_000);
    await later.transport.load();
    // What is left is the report of the drop.
    expect(await later.drops()).toEqual(['queue_overflow:error:1']);
    expect(later.transport.pending()).toBe(1);
    expect(await store.keys()).toHaveLength(1);
  });

  it('round-trips an envelope with a binary attachment through the Store to the next run', async () => {
    const url = await endpoint();
    const store = createMemoryStore();
    const dump = new Uint8Array(50_000);
    for (let i = 0; i < dump.length; i++) dump[i] = (i * 31) % 256;
    const env = addItemToEnvelope(eventEnvelope(7), createAttachmentEnvelopeItem({ filename: 'crash.dmp', data: dump, attachmentType: 'event.minidump' }));
    const first = setup({ store, url, makeRequest: () => Promise.reject(new Error('offline')) });
    await first.transport.send(env);
    await first.transport.flush(50);
    first.transport.dispose();
    expect((await store.get((await store.keys('queue/'))[0]!)) instanceof Uint8Array).toBe(true);

    const next = setup({ store, url, makeRequest: httpExecutor });
    await next.transport.load();
    expect(await next.transport.flush(2000)).toBe(true);
    const [attachment] = c!.items({ type: 'attachment' });
    expect(attachment?.attachment?.size).toBe(dump.length);
    expect(attachment?.attachment?.attachmentType).toBe('event.minidump');
    expect(Buffer.compare(readFileSync(attachment!.attachment!.path), Buffer.from(dump))).toBe(0);
  });

  it('skips corrupt queued entries with one warning and still sends the rest', async () => {
    const url = await endpoint();
    const store = createMemoryStore();
    const first = setup({ store, url, makeRequest: () => Promise.reject(new Error('offline')) });
    for (let i = 0; i < 3; i++) await first.transport.send(eventEnvelope(i));
    first.transport.dispose();
    const keys = await store.keys('queue/');
    await store.set(keys[1]!, '{"broken');
    await store.set('queue/garbage', new Uint8Array([0xff, 0xfe]));
    const next = setup({ store, url, makeRequest: httpExecutor });
    await next.transport.load();
    expect(await next.transport.flush(2000)).toBe(true);
    expect(next.warnings).toEqual(['[crashfree] skipped 2 unreadable queued envelope(s); everything else is still sent.']);
    expect(c!.items({ type: 'event' }).map((e) => (e.payload as { message: string }).message)).toEqual(['m0', 'm2']);
  });

  it('drops an envelope the backend refuses with 4xx, reporting send_error, without blocking the rest', async () => {
    const { exec, seen } = recording(async (_req, n) => (n === 1 ? { statusCode: 400, headers: {} } : { statusCode: 200, headers: {} }));
    const { transport, drops, warnings } = setup({ makeRequest: exec });
    await transport.send(eventEnvelope(1));
    await transport.send(eventEnvelope(2));
    expect(await transport.flush(1000)).toBe(true);
    // The two events, then the report of the refused one.
    expect(seen).toEqual(['event', 'event', 'client_report']);
    expect(await drops()).toEqual(['send_error:error:1']);
    expect(warnings).toHaveLength(1);
  });
});

describe('overflow never evicts the ratio', () => {
  it('session updates are outside the bounds: only the oldest events overflow, however many sessions wait', async () => {
    const never: RequestExecutor = () => Promise.reject(new Error('offline'));
    const { transport, store, drops } = setup({ makeRequest: never, queue: { maxCount: 3 } });
    await transport.send(sessionEnvelopeOf(1));
    for (let i = 0; i < 5; i++) await transport.send(eventEnvelope(i));
    for (let i = 2; i < 12; i++) await transport.send(sessionEnvelopeOf(i));
    const kept = await Promise.all((await store.keys('queue/')).map(async (k) => String(await store.get(k))));
    const kinds = kept.map((b) => (b.includes('"type":"session"') ? 'session' : b.includes('client_report') ? 'report' : /"m(\d)"/.exec(b)?.[0]));
    expect(kinds.filter((k) => k === 'session')).toHaveLength(11);
    expect(kinds.filter((k) => k !== 'session' && k !== 'report')).toEqual(['"m2"', '"m3"', '"m4"']);
    expect(await drops()).toEqual(['queue_overflow:error:1', 'queue_overflow:error:1']);
    transport.dispose();
  });

  it('keeps at most one waiting update per session besides its init: later ones merge, the init stays as it was', async () => {
    const never: RequestExecutor = () => Promise.reject(new Error('offline'));
    const { transport, store } = setup({ makeRequest: never });
    const update = (seq: number, status: string, init: boolean): Envelope =>
      createEnvelope({}, [[{ type: 'session' }, { sid: 'a'.repeat(32), init, seq, status, errors: seq, started: new Date(0).toISOString(), timestamp: new Date(0).toISOString(), attrs: { release: 'r@1' } }]]);
    await transport.send(update(0, 'ok', true));
    // The init's one try failed (offline): it waits, not in flight, when the next updates come.
    await transport.flush(50);
    await transport.send(update(1, 'ok', false));
    await transport.send(update(2, 'ok', false));
    await transport.send(update(3, 'exited', false));
    const keys = await store.keys('queue/');
    expect(keys).toHaveLength(2);
    const payloads = await Promise.all(keys.map(async (k) => parseEnvelope((await store.get(k))!)[1][0]![1]));
    expect(payloads).toMatchObject([
      { init: true, seq: 0, status: 'ok' },
      { init: false, seq: 3, status: 'exited', errors: 3 },
    ]);
    expect(transport.pending()).toBe(2);
    transport.dispose();
  });
});

// Next-launch recovery: a previous run's persisted state (same Store, owner
// gone) is ended exactly once, delivered at least once, deleted only after
// the collector accepted it.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClient, createMemoryStore, type ExternalCrash, type RequestExecutor, type Store } from '@crashfree/core';
import { collector, httpExecutor, sessions, testClock, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const offline: RequestExecutor = () => Promise.reject(new Error('ECONNREFUSED'));
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
/** The clock of later launches: a minute after the previous run (well inside the queue's maxAgeMs). */
const later = testClock(T0 + 60_000);

/** Runs a previous launch ("old") on `store` that never delivers anything, then abandons it as if the process died. */
async function previousRun(store: Store, dsn: string, act: (client: ReturnType<typeof createClient>, clock: ReturnType<typeof testClock>) => void) {
  const clock = testClock(T0);
  const client = createClient({ dsn, release: 'app@1.0.0' }, testPlatform({ store, run: 'old', makeRequest: offline }), { now: clock.now });
  await client.start();
  act(client, clock);
  await client.flush(30); // lets the persisted writes finish; nothing is delivered
  const sid = client.getSessionId()!;
  // The process is gone: its timers would be gone too.
  (client.getTransport() as unknown as { dispose(): void }).dispose();
  return sid;
}

/** Sends through the real collector and records what went over the wire: event ids and `sid:seq` of session updates. */
function countingExecutor() {
  const events: string[] = [];
  const updates: string[] = [];
  const send: RequestExecutor = (req) => {
    const text = typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8');
    const lines = text.split('\n');
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]!.startsWith('{"type":')) continue;
      const type = (JSON.parse(lines[i]!) as { type: string }).type;
      const payload = lines[i + 1]?.startsWith('{') ? (JSON.parse(lines[i + 1]!) as { event_id?: string; sid?: string; seq?: number }) : {};
      if (type === 'event') events.push(payload.event_id!);
      if (type === 'session') updates.push(`${payload.sid}:${payload.seq}`);
    }
    return httpExecutor(req);
  };
  return { events, updates, send };
}

function nextRun(store: Store, dsn: string, over: Parameters<typeof testPlatform>[0] = {}) {
  const platform = testPlatform({ store, run: 'new', dead: new Set(['old']), ...over });
  return { platform, client: createClient({ dsn, release: 'app@1.0.1' }, platform, { now: later.now }) };
}

describe('next-launch recovery', () => {
  it('ends a session whose owner is gone abnormal, once, with duration = last persisted - started', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = await previousRun(store, c.dsn, (client, clock) => {
      clock.advance(7000);
      client.captureException(new Error('handled'));
    });
    const { client } = nextRun(store, c.dsn);
    const result = await client.start();
    expect(result).toMatchObject({ crashed: 0, abnormal: 1, events: 0 });
    await client.close(5000);
    const old = sessions(c).filter((s) => s.sid === sid);
    expect(old.map((s) => [s.status, s.seq, s.init, s.errors])).toEqual([
      ['ok', 0, true, 0],
      // The dead run's first-error update waited (offline): the recovered end merged into it.
      ['abnormal', 2, false, 1],
    ]);
    expect(old[1]!.duration).toBe(7);
    expect(old[1]!.attrs).toEqual({ release: 'app@1.0.0', environment: 'production' });
    expect(await store.keys()).toEqual([]);
  });

  it('sends crashed plus the crash event for a run that died in captureFatalSync, each once on the wire', async () => {
    c = await collector();
    const store = createMemoryStore();
    let eventId: string | undefined;
    const sid = await previousRun(store, c.dsn, (client) => {
      eventId = client.captureFatalSync(new TypeError('fatal in run 1'));
    });
    expect(await store.keys('crash/')).toEqual([`crash/${sid}`]);
    const wire = countingExecutor();
    const { client } = nextRun(store, c.dsn, { makeRequest: wire.send });
    // The dying run queued the event and the crashed update itself: recovery counts them, queues neither again.
    expect(await client.start()).toMatchObject({ crashed: 1, abnormal: 0, events: 1 });
    await client.close(5000);
    const old = sessions(c).filter((s) => s.sid === sid);
    expect(old.map((s) => s.status)).toEqual(['ok', 'crashed']);
    const events = c.items({ type: 'event' });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ event_id: eventId, level: 'fatal', release: 'app@1.0.0', exception: { values: [{ type: 'TypeError', value: 'fatal in run 1', mechanism: { handled: false } }] } });
    expect(wire.events).toEqual([eventId]);
    expect(wire.updates.filter((u) => u.startsWith(`${sid}:`))).toEqual([`${sid}:0`, `${sid}:1`]);
    expect(await store.keys()).toEqual([]);
  });

  it('offline launches do not grow the queue with copies of the same recovered envelopes; delivered once when back online', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = await previousRun(store, c.dsn, (client, clock) => {
      clock.advance(1000);
      client.captureException(new Error('handled'));
    });
    // The crash is known only from outside (a native record), so recovery itself queues its event.
    const crash = (): ExternalCrash => ({ sid, event: { event_id: 'a'.repeat(32), exception: { values: [{ type: 'SIGSEGV' }] } } });
    const second = nextRun(store, c.dsn, { makeRequest: offline });
    expect(await second.client.start({ crashes: [crash()] })).toMatchObject({ crashed: 1, events: 1 });
    await second.client.close(50);
    const queuedAfterOne = await store.keys('queue/');

    const third = createClient({ dsn: c.dsn, release: 'app@1.0.1' }, testPlatform({ store, run: 'third', dead: new Set(['old', 'new']), makeRequest: offline }), { now: later.now });
    expect(await third.start({ crashes: [crash()] })).toMatchObject({ crashed: 1, events: 1 });
    await third.close(50);
    // The third launch added only its own session (init + exited), no second copy of the crash or the update.
    const added = (await store.keys('queue/')).filter((k) => !queuedAfterOne.includes(k));
    expect(added.length).toBeLessThanOrEqual(2);

    const wire = countingExecutor();
    const fourth = createClient({ dsn: c.dsn, release: 'app@1.0.1' }, testPlatform({ store, run: 'fourth', dead: new Set(['old', 'new', 'third']), makeRequest: wire.send }), { now: later.now });
    await fourth.start();
    await fourth.close(5000);
    // The old run's handled error plus the crash, each once.
    expect(wire.events.filter((id) => id === 'a'.repeat(32))).toHaveLength(1);
    expect(wire.events).toHaveLength(2);
    // The waiting first-error update and the recovered crash merged into one; the init stays as it was.
    expect(wire.updates.filter((u) => u.startsWith(`${sid}:`)).sort()).toEqual([`${sid}:0`, `${sid}:2`]);
    expect(sessions(c).filter((s) => s.sid === sid).map((s) => s.status)).toEqual(['ok', 'crashed']);
    expect(await store.keys()).toEqual([]);
  });

  it('attaches an external crash (minidump) to its session and calls onDelivered only after the 2xx', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = await previousRun(store, c.dsn, () => undefined);
    const dump = new Uint8Array(4096).map((_, i) => i % 251);
    const calls: string[] = [];
    const crash: ExternalCrash = {
      sid,
      event: { event_id: 'f'.repeat(32), level: 'fatal', exception: { values: [{ type: 'SIGSEGV', value: 'Segmentation fault', mechanism: { type: 'signalhandler', handled: false } }] } },
      attachments: [{ filename: 'native.dmp', data: dump, attachmentType: 'event.minidump' }],
      onDelivered: () => void calls.push(`delivered with ${c!.items({ type: 'attachment' }).length} attachment(s) stored`),
    };
    const { client } = nextRun(store, c.dsn);
    expect(await client.start({ crashes: [crash] })).toMatchObject({ crashed: 1, events: 1 });
    expect(calls).toEqual([]);
    await client.close(5000);
    expect(calls).toEqual(['delivered with 1 attachment(s) stored']);
    expect(sessions(c).filter((s) => s.sid === sid).map((s) => s.status)).toEqual(['ok', 'crashed']);
    const [att] = c.items({ type: 'attachment' });
    expect(att!.envelopeHeaders.event_id).toBe('f'.repeat(32));
    expect(Buffer.compare(readFileSync(att!.attachment!.path), Buffer.from(dump))).toBe(0);
  });

  it('sends external crashes without a session as events alone and leaves live owners alone', async () => {
    c = await collector();
    const store = createMemoryStore();
    const liveSid = await previousRun(store, c.dsn, () => undefined);
    const platform = testPlatform({ store, run: 'new', dead: new Set() }); // "old" is still alive
    const client = createClient({ dsn: c.dsn, release: 'app@1.0.1' }, platform, { now: later.now });
    const result = await client.start({ crashes: [{ event: { event_id: 'e'.repeat(32), level: 'fatal', message: 'OOM' } }] });
    expect(result).toMatchObject({ crashed: 0, abnormal: 0, events: 1 });
    await client.close(5000);
    expect(c.items({ type: 'event' }).map((e) => (e.payload as { event_id: string }).event_id)).toEqual(['e'.repeat(32)]);
    expect(sessions(c).filter((s) => s.sid === liveSid && s.status !== 'ok')).toEqual([]);
    expect(await store.keys('session/')).toEqual([`session/${liveSid}`]);
  });

  it('sends init: true when the session init never reached the queue, and skips corrupt state with one warning', async () => {
    c = await collector();
    const store = createMemoryStore();
    const sid = 'a'.repeat(32);
    await store.set(`session/${sid}`, JSON.stringify({ v: 1, sid, started: T0, timestamp: T0 + 3000, status: 'ok', errors: 0, seq: 0, initQueued: false, release: 'app@0.9.0', environment: 'production', owner: { run: 'old' } }));
    await store.set(`session/${'b'.repeat(32)}`, '{not json');
    await store.set(`crash/${'c'.repeat(32)}`, 'garbage');
    const { client, platform } = nextRun(store, c.dsn);
    expect(await client.start()).toMatchObject({ abnormal: 1 });
    await client.close(5000);
    expect(sessions(c).filter((s) => s.sid === sid).map((s) => [s.status, s.init, s.seq, s.duration])).toEqual([['abnormal', true, 1, 3]]);
    expect(platform.warnings.filter((w) => /unreadable/.test(w))).toEqual(['[crashfree] skipped 2 unreadable persisted record(s); everything else is still sent.']);
    expect(await store.keys()).toEqual([]);
  });

  it('applies beforeSend to recovered crash events; a null drop is reported and the crash still delivered as gone', async () => {
    c = await collector();
    const store = createMemoryStore();
    const platform = testPlatform({ store, run: 'new' });
    const delivered: string[] = [];
    const beforeSend = (e: { message?: string; tags?: Record<string, string> }) => (e.message === 'drop me' ? null : { ...e, tags: { scrubbed: 'yes' } });
    const client = createClient({ dsn: c.dsn, release: 'app@1.0.1', beforeSend }, platform, { now: later.now });
    await client.start({
      crashes: [
        { event: { event_id: '1'.repeat(32), level: 'fatal', message: 'drop me' }, onDelivered: () => void delivered.push('dropped') },
        { event: { event_id: '2'.repeat(32), level: 'fatal', message: 'keep me' }, onDelivered: () => void delivered.push('kept') },
      ],
    });
    await client.close(5000);
    expect(c.items({ type: 'event' }).map((e) => e.payload)).toEqual([expect.objectContaining({ message: 'keep me', tags: { scrubbed: 'yes' } })]);
    const reports = c.items({ type: 'client_report' }).flatMap((r) => (r.payload as { discarded_events: unknown[] }).discarded_events);
    expect(reports).toContainEqual({ reason: 'before_send', category: 'error', quantity: 1 });
    expect(delivered.sort()).toEqual(['dropped', 'kept']);
  });
});

describe('recovery with a custom queue.keyPrefix', () => {
  it('finds what the dead run queued under that prefix and sends the crash once', async () => {
    c = await collector();
    const store = createMemoryStore();
    const options = { dsn: c.dsn, release: 'app@1.0.0', queue: { keyPrefix: 'tab/7/queue/' } };
    const old = createClient(options, testPlatform({ store, run: 'old', makeRequest: offline }), { now: testClock(T0).now });
    await old.start();
    const id = old.captureFatalSync(new Error('fatal under a custom prefix'));
    await old.flush(30);
    (old.getTransport() as unknown as { dispose(): void }).dispose();
    expect((await store.keys('tab/7/queue/')).length).toBeGreaterThan(0);

    const wire = countingExecutor();
    const next = createClient(options, testPlatform({ store, run: 'new', dead: new Set(['old']), makeRequest: wire.send }), { now: later.now });
    expect(await next.start()).toMatchObject({ crashed: 1, events: 1 });
    await next.close(5000);
    expect(wire.events).toEqual([id]);
    expect(await store.keys()).toEqual([]);
  });
});

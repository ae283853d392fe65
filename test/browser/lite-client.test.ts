/**
 * The lite client (`@crashfree/core/lite`, the Client-free path meant for
 * size-bound browser bundles) on its own, in Node: a real collector on
 * loopback receives what it sends through fetch. Sessions, capture-time
 * accounting, scopes, beforeSend drops as client reports, recovery of a dead
 * run's session, and option messages.
 */
import { startCollector, type Collector } from '@crashfree/collector';
import { createLiteClient, createMemoryStore, eventPolicyIntegration, type LiteClient, type Platform, type Store } from '@crashfree/core/lite';
// @sentry/core's scope API as the browser package re-exports it (the same @sentry/core instance the lite client binds to).
import { captureException, close, flush, setTag, setUser } from '@crashfree/browser';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { envelopeItems, type SessionUpdate } from './harness.js';

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ port: 0 });
});
afterAll(async () => {
  await collector?.close();
});

let client: LiteClient | undefined;
afterEach(async () => {
  await client?.close(2000);
  // Unbinds the client from the scope.
  await close(100);
  setUser(null);
  client = undefined;
});

interface Run {
  platform: Platform;
  bodies: string[];
  statuses: number[];
}

/** A platform sending with fetch to the collector; `alive` decides which owners liveness reports alive. */
function platform(store: Store, runId: string, alive: (run: unknown) => boolean = (r) => r === runId): Run {
  const bodies: string[] = [];
  const statuses: number[] = [];
  return {
    bodies,
    statuses,
    platform: {
      name: 'javascript',
      sdk: { name: 'crashfree.javascript.browser', version: '0.0.0-test' },
      store,
      liveness: { owner: () => ({ run: runId }), isAlive: (o) => Promise.resolve(alive(o.run)) },
      makeRequest: async (req) => {
        const body = typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body);
        const res = await fetch(req.url, { method: 'POST', body, headers: req.headers });
        bodies.push(body);
        statuses.push(res.status);
        return { statusCode: res.status, headers: { 'retry-after': res.headers.get('retry-after'), 'x-sentry-rate-limits': res.headers.get('x-sentry-rate-limits') } };
      },
      eventFromException: (e, hint) => {
        const err = e as Error;
        const mechanism = { handled: true, type: 'generic', ...hint?.mechanism };
        return Promise.resolve({ level: 'error', exception: { values: [{ type: err.name, value: err.message, mechanism }] } });
      },
      eventFromMessage: (m, level) => Promise.resolve({ message: m, level }),
      logger: { log() {}, warn() {}, error() {} },
    },
  };
}

const items = (run: Run, type: string): Record<string, unknown>[] => run.bodies.flatMap((b) => envelopeItems(b, type));
const sessions = (run: Run): SessionUpdate[] => items(run, 'session') as unknown as SessionUpdate[];

describe('lite client', () => {
  it('starts a session, counts a handled error at capture time, sends the event with scope data, ends exited on close', async () => {
    const run = platform(createMemoryStore(), 'r1');
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.0' }, run.platform);
    expect(client.isEnabled()).toBe(true);
    await client.start();
    setUser({ id: 'user-7' });
    setTag('area', 'checkout');
    captureException(new Error('handled one'));
    expect(await flush(5000)).toBe(true);
    const events = items(run, 'event');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ release: 'lite@1.0.0', platform: 'javascript', user: { id: 'user-7' }, tags: { area: 'checkout' } });
    expect((events[0]!.exception as { values: { value: string }[] }).values[0]!.value).toBe('handled one');
    await client.close(5000);
    const updates = sessions(run);
    expect(updates[0]).toMatchObject({ init: true, status: 'ok', errors: 0, attrs: { release: 'lite@1.0.0' } });
    expect(updates.at(-1)).toMatchObject({ status: 'exited', errors: 1, did: 'user-7' });
    expect(new Set(updates.map((u) => u.sid)).size).toBe(1);
    expect(run.statuses.every((s) => s >= 200 && s < 300)).toBe(true);
  });

  it('an unhandled error crashes the session even when beforeSend drops the event, and the drop is a client report', async () => {
    const run = platform(createMemoryStore(), 'r2');
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.1', beforeSend: () => null }, run.platform);
    await client.start();
    client.captureException(new Error('boom'), { mechanism: { handled: false, type: 'onerror' } });
    await client.flush(5000);
    expect(items(run, 'event')).toHaveLength(0);
    expect(sessions(run).at(-1)).toMatchObject({ status: 'crashed' });
    const reports = items(run, 'client_report') as { discarded_events: { reason: string; category: string; quantity: number }[] }[];
    expect(reports.flatMap((r) => r.discarded_events)).toContainEqual({ reason: 'before_send', category: 'error', quantity: 1 });
  });

  it('applies the capture context to that event only, runs integrations, and bounds deep or cyclic extra data', async () => {
    const run = platform(createMemoryStore(), 'r7');
    const seen: string[] = [];
    const integration = { name: 'Probe', setup: () => seen.push('setup'), processEvent: (e: { tags?: Record<string, string> }) => ({ ...e, tags: { ...e.tags, probe: 'yes' } }) };
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.4', integrations: [integration] }, run.platform);
    await client.start();
    const cyclic: Record<string, unknown> = { a: { b: { c: { d: 1 } } } };
    cyclic.self = cyclic;
    captureException(new Error('with context'), { tags: { only: 'this' }, extra: { cyclic } });
    captureException(new Error('without'));
    await client.flush(5000);
    const events = items(run, 'event') as { tags?: Record<string, string>; extra?: Record<string, unknown> }[];
    expect(seen).toEqual(['setup']);
    expect(events).toHaveLength(2);
    expect(events[0]!.tags).toMatchObject({ only: 'this', probe: 'yes' });
    expect(events[0]!.extra).toEqual({ cyclic: { a: { b: '[Object]' }, self: '[Circular ~]' } });
    expect(events[1]!.tags).toMatchObject({ probe: 'yes' });
    expect(events[1]!.tags).not.toHaveProperty('only');
  });

  it('counts every handled error even when the (opt-in) event policy drops its event, and reports the drop', async () => {
    const run = platform(createMemoryStore(), 'r8');
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.5', sampleRate: 0.5, integrations: [eventPolicyIntegration({ fingerprintBudget: 1 })] }, run.platform, { random: () => 0.99 });
    await client.start();
    for (let i = 0; i < 3; i++) client.captureException(new Error('same'));
    await client.close(5000);
    expect(items(run, 'event')).toHaveLength(1);
    expect(sessions(run).at(-1)).toMatchObject({ status: 'exited', errors: 3 });
    const reports = items(run, 'client_report') as { discarded_events: { reason: string; category: string; quantity: number }[] }[];
    expect(reports.flatMap((r) => r.discarded_events)).toContainEqual({ reason: 'sample_rate', category: 'error', quantity: 2 });
  });

  it('a capture before start() opens the first session, which start() keeps', async () => {
    const run = platform(createMemoryStore(), 'r9');
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.6' }, run.platform);
    client.captureException(new Error('first tick'), { mechanism: { handled: false, type: 'onerror' } });
    const sid = client.getSessionId();
    expect(sid).toEqual(expect.any(String));
    await client.start();
    expect(client.getSessionId()).toBe(sid);
    await client.flush(5000);
    const updates = sessions(run);
    expect(new Set(updates.map((u) => u.sid))).toEqual(new Set([sid]));
    expect(updates.at(-1)).toMatchObject({ status: 'crashed' });
    expect(items(run, 'event')).toHaveLength(1);
  });

  it('an error captured twice is sent and counted once', async () => {
    const run = platform(createMemoryStore(), 'r3');
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.2' }, run.platform);
    await client.start();
    const e = new Error('twice');
    captureException(e);
    captureException(e);
    await client.close(5000);
    expect(items(run, 'event')).toHaveLength(1);
    expect(sessions(run).at(-1)).toMatchObject({ status: 'exited', errors: 1 });
  });

  it('recovers a dead run’s session as abnormal, once', async () => {
    const store = createMemoryStore();
    const dead = platform(store, 'dead');
    // Its own queue prefix, as browser tabs have: the next run recovers the session, not the dead run's queue.
    const first = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.3', queue: { keyPrefix: 'dead/queue/' } }, dead.platform);
    await first.start();
    const sid = first.getSessionId();
    // The run dies: nothing more of it runs, its session stays persisted.
    await vi.waitFor(async () => expect(await store.keys('session/')).toHaveLength(1));
    const next = platform(store, 'next');
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.3' }, next.platform);
    const result = await client.start();
    expect(result.abnormal).toBe(1);
    await client.flush(5000);
    expect(sessions(next).filter((u) => u.sid === sid)).toEqual([expect.objectContaining({ status: 'abnormal', init: false })]);
    const again = platform(store, 'again');
    await client.close(5000);
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1.0.3' }, again.platform);
    expect((await client.start()).abnormal).toBe(0);
    // The "dead" run's timers go too.
    await first.close(100);
  });

  it('a wrong option gives one error naming the option, the value and what is expected, and a disabled client', () => {
    const run = platform(createMemoryStore(), 'r5');
    const error = vi.fn();
    client = createLiteClient({ dsn: collector.dsn, sampleRate: 2 }, { ...run.platform, logger: { log() {}, warn() {}, error } });
    expect(client.isEnabled()).toBe(false);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toContain('option "sampleRate" is 2 (number); expected a number from 0 to 1');
    expect(client.captureException(new Error('ignored'))).toEqual(expect.any(String));
  });

  it('refuses request mode at init', () => {
    const run = platform(createMemoryStore(), 'r6');
    const error = vi.fn();
    client = createLiteClient({ dsn: collector.dsn, release: 'lite@1', sessionMode: 'request' }, { ...run.platform, logger: { log() {}, warn() {}, error } });
    expect(client.isEnabled()).toBe(false);
    expect(error.mock.calls[0]![0]).toContain('option "sessionMode" is "request"');
  });
});

// Session accounting happens at capture time and never depends on what is
// later done to the event: every drop path is exercised against a real
// collector and the session updates it stored are checked.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { parseEnvelope } from '@sentry/core';
import { createClient, type RequestExecutor } from '@crashfree/core';
import { collector, httpExecutor, sessions, testClock, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

const fatal = { mechanism: { type: 'onuncaughtexception', handled: false } };

async function run(options: Record<string, unknown>, capture: (client: ReturnType<typeof createClient>) => void, makeRequest?: RequestExecutor) {
  c = await collector();
  const platform = testPlatform(makeRequest ? { makeRequest } : {});
  const client = createClient({ dsn: c.dsn, release: 'app@2.0.0', ...options }, platform);
  await client.start();
  capture(client);
  await client.close(5000);
  return { got: sessions(c), events: c.items({ type: 'event' }), reports: c.items({ type: 'client_report' }) };
}

function discarded(reports: Array<{ payload?: unknown }>): Array<{ reason: string; category: string; quantity: number }> {
  return reports.flatMap((r) => (r.payload as { discarded_events: Array<{ reason: string; category: string; quantity: number }> }).discarded_events);
}

describe('accounting independent of drops', () => {
  it('a fatal event dropped by beforeSend still marks the session crashed', async () => {
    const { got, events, reports } = await run({ beforeSend: () => null }, (client) => void client.captureException(new Error('fatal'), fatal));
    expect(events).toHaveLength(0);
    expect(got.map((s) => s.status)).toEqual(['ok', 'crashed']);
    expect(discarded(reports)).toContainEqual({ reason: 'before_send', category: 'error', quantity: 1 });
  });

  it('a handled error dropped by beforeSend still counts', async () => {
    const { got, events } = await run({ beforeSend: () => null }, (client) => {
      client.captureException(new Error('a'));
      client.captureException(new Error('b'));
    });
    expect(events).toHaveLength(0);
    expect(got.at(-1)).toMatchObject({ status: 'exited', errors: 2 });
  });

  it('a handled error dropped by sampling still counts, and a fatal one is never sampled', async () => {
    const { got, events, reports } = await run({ sampleRate: 0 }, (client) => {
      client.captureException(new Error('sampled out'));
      client.captureException(new Error('crash'), fatal);
    });
    expect(events.map((e) => (e.payload as { level?: string; exception: { values: Array<{ value: string }> } }).exception.values[0]!.value)).toEqual(['crash']);
    expect(got.map((s) => [s.status, s.errors])).toEqual([
      ['ok', 0],
      ['ok', 1],
      ['crashed', 1],
    ]);
    expect(discarded(reports)).toContainEqual({ reason: 'sample_rate', category: 'error', quantity: 1 });
  });

  it('a fatal event dropped by an event processor still marks the session crashed', async () => {
    const { got, events, reports } = await run({}, (client) => {
      client.addEventProcessor(() => null);
      client.captureException(new Error('fatal'), fatal);
    });
    expect(events).toHaveLength(0);
    expect(got.map((s) => s.status)).toEqual(['ok', 'crashed']);
    expect(discarded(reports)).toContainEqual({ reason: 'event_processor', category: 'error', quantity: 1 });
  });

  it('handled errors dropped by the spike guard still count', async () => {
    const { got, events, reports } = await run({ fingerprintBudget: 2, spikeLimitPerMinute: 3 }, (client) => {
      for (let i = 0; i < 10; i++) client.captureException(new Error('same'));
    });
    expect(events).toHaveLength(3);
    expect(got.at(-1)).toMatchObject({ status: 'exited', errors: 10 });
    expect(discarded(reports)).toContainEqual({ reason: 'spike_protection', category: 'error', quantity: 7 });
  });

  it('a fatal event held by an error rate limit still marks the session crashed', async () => {
    let eventRequests = 0;
    const limitErrors: RequestExecutor = async (req) => {
      const [, items] = parseEnvelope(req.body);
      if (items.some(([h]) => h.type === 'event')) {
        eventRequests += 1;
        return { statusCode: 429, headers: { 'x-sentry-rate-limits': '3600:error:organization' } };
      }
      return httpExecutor(req);
    };
    const { got, events } = await run({}, (client) => {
      client.captureException(new Error('first'));
      client.captureException(new Error('fatal'), fatal);
    }, limitErrors);
    expect(events).toHaveLength(0);
    expect(eventRequests).toBe(1); // the second event is held, not sent into the limit
    expect(got.map((s) => [s.status, s.errors])).toEqual([
      ['ok', 0],
      ['ok', 1],
      ['crashed', 1],
    ]);
  });

  it('handled errors lost to queue overflow still count', async () => {
    c = await collector();
    let online = false;
    const flaky: RequestExecutor = (req) => (online ? httpExecutor(req) : Promise.reject(new Error('ECONNREFUSED')));
    const clock = testClock();
    const platform = testPlatform({ makeRequest: flaky });
    const client = createClient({ dsn: c.dsn, release: 'app@2.0.0', queue: { maxCount: 5 } }, platform, { now: clock.now });
    await client.start();
    for (let i = 0; i < 6; i++) client.captureException(new Error(`e${i}`));
    client.endSession();
    await client.flush(200);
    online = true;
    clock.advance(10 * 60_000); // past any backoff
    await client.close(5000);
    const got = sessions(c);
    expect(got.at(-1)).toMatchObject({ status: 'exited', errors: 6 });
    expect(c.items({ type: 'event' }).length).toBeLessThan(6);
    expect(discarded(c.items({ type: 'client_report' })).some((d) => d.reason === 'queue_overflow')).toBe(true);
  });
});

describe('a broken platform piece never reaches the app', () => {
  it('eventFromException throwing loses that event only; the session still counts it', async () => {
    c = await collector();
    const platform = testPlatform();
    platform.eventFromException = () => {
      throw new Error('stack parser exploded');
    };
    const client = createClient({ dsn: c.dsn, release: 'app@2.0.0' }, platform);
    await client.start();
    expect(() => client.captureException(new Error('x'))).not.toThrow();
    await client.close(5000);
    expect(sessions(c).at(-1)).toMatchObject({ status: 'exited', errors: 1 });
    expect(c.items({ type: 'event' })).toHaveLength(0);
  });

  it('a Store that rejects every write still lets sessions and events be sent from memory, with warnings', async () => {
    c = await collector();
    const platform = testPlatform();
    const failing = platform.store;
    platform.store = { ...failing, set: () => Promise.reject(new Error('disk full')) };
    const client = createClient({ dsn: c.dsn, release: 'app@2.0.0' }, platform);
    await client.start();
    client.captureException(new Error('y'));
    await client.close(5000);
    expect(sessions(c).map((s) => s.status)).toEqual(['ok', 'ok', 'exited']);
    expect(c.items({ type: 'event' })).toHaveLength(1);
    expect(platform.warnings.some((w) => /disk full/.test(w))).toBe(true);
  });
});

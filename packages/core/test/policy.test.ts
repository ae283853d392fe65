import { describe, expect, it } from 'vitest';
import type { Event } from '@sentry/core';
import { createClient, createEventPolicy, fingerprintOf, FINGERPRINT_VERSION, type PolicyOptions } from '@crashfree/core';
import { collector, testPlatform, until } from './helpers.js';

const handled = (value: string, line = 1, fn = 'f'): Event => ({
  exception: { values: [{ type: 'Error', value, mechanism: { type: 'generic', handled: true }, stacktrace: { frames: [{ filename: 'a.js', function: fn, lineno: line }] } }] },
});

function policy(over: Partial<PolicyOptions> = {}) {
  let now = 0;
  let rnd = 0.99;
  const p = { decide: createEventPolicy({ sampleRate: 1, fingerprintBudget: 20, spikeLimitPerMinute: 60, now: () => now, random: () => rnd, ...over }) };
  return { p, advance: (ms: number) => (now += ms), setRandom: (r: number) => (rnd = r) };
}

describe('event policy', () => {
  it('counts by the fingerprint contract: ids in the message and moved lines are one fingerprint', () => {
    const { p } = policy({ sampleRate: 0.5, fingerprintBudget: 2 });
    // Budget of 2 shared by "User 1" and "User 2" thrown from moved lines; then sampled (random 0.99 > 0.5).
    expect([p.decide(handled('User 1 gone', 1), false), p.decide(handled('User 2 gone', 7), false), p.decide(handled('User 3 gone', 9), false)]).toEqual([undefined, undefined, 'sample_rate']);
    expect(fingerprintOf(handled('User 1 gone', 1))).toBe(fingerprintOf(handled('User 2 gone', 7)));
    expect(fingerprintOf({ ...handled('x'), fingerprint: ['checkout', 'db'] })).toBe(JSON.stringify(['checkout', 'db']));
  });

  it('stamps fingerprint_version on every event it sees', () => {
    const { p } = policy();
    const e = handled('a');
    const fatal = handled('b');
    p.decide(e, false);
    p.decide(fatal, true);
    expect([(e as { fingerprint_version?: number }).fingerprint_version, (fatal as { fingerprint_version?: number }).fingerprint_version]).toEqual([FINGERPRINT_VERSION, FINGERPRINT_VERSION]);
  });

  it('sampleRate 0 sends no handled error at all, whatever the budget', () => {
    const { p } = policy({ sampleRate: 0, fingerprintBudget: 3 });
    expect(Array.from({ length: 4 }, () => p.decide(handled('a'), false))).toEqual(['sample_rate', 'sample_rate', 'sample_rate', 'sample_rate']);
  });

  it('keeps the first N of every fingerprint at a rate above 0, then samples', () => {
    const { p } = policy({ sampleRate: 0.01, fingerprintBudget: 3 });
    const a = Array.from({ length: 5 }, () => p.decide(handled('a'), false));
    const b = Array.from({ length: 4 }, () => p.decide(handled('b', 1, 'b'), false));
    expect(a).toEqual([undefined, undefined, undefined, 'sample_rate', 'sample_rate']);
    expect(b).toEqual([undefined, undefined, undefined, 'sample_rate']);
  });

  it('applies sampleRate after the budget using the injected randomness', () => {
    const { p, setRandom } = policy({ sampleRate: 0.5, fingerprintBudget: 0 });
    setRandom(0.4);
    expect(p.decide(handled('a'), false)).toBeUndefined();
    setRandom(0.6);
    expect(p.decide(handled('a'), false)).toBe('sample_rate');
  });

  it('never drops unhandled events, whatever the rate, budget or spike', () => {
    const { p } = policy({ sampleRate: 0, fingerprintBudget: 0, spikeLimitPerMinute: 1 });
    for (let i = 0; i < 100; i++) expect(p.decide(handled('a'), true)).toBeUndefined();
  });

  it('caps each fingerprint per minute and resets the next minute; other fingerprints are unaffected', () => {
    const { p, advance } = policy({ fingerprintBudget: 0, spikeLimitPerMinute: 5 });
    const first = Array.from({ length: 8 }, () => p.decide(handled('flood'), false));
    expect(first.filter((d) => d === undefined)).toHaveLength(5);
    expect(first.slice(5)).toEqual(['spike_protection', 'spike_protection', 'spike_protection']);
    expect(p.decide(handled('other', 1, 'other'), false)).toBeUndefined();
    advance(60_000);
    expect(p.decide(handled('flood'), false)).toBeUndefined();
  });

  it('bounds the fingerprints it remembers', () => {
    const { p } = policy({ sampleRate: 0.01, fingerprintBudget: 1, maxFingerprints: 10 });
    expect(p.decide(handled('first', 1, 'first'), false)).toBeUndefined();
    for (let i = 0; i < 10; i++) p.decide(handled('x', 1, `x${i}`), false);
    // "first" was forgotten (least recently seen), so it has a fresh budget.
    expect(p.decide(handled('first', 1, 'first'), false)).toBeUndefined();
  });
});

describe('sampleRate 0 in createClient', () => {
  it('sends no handled error, says once at init that a set budget is ignored, still sends the crash', async () => {
    const c = await collector();
    try {
      const platform = testPlatform();
      const client = createClient({ dsn: c.dsn, release: 'rate0@1', sampleRate: 0, fingerprintBudget: 5 }, platform);
      await client.start();
      for (let i = 0; i < 3; i++) client.captureException(new Error(`handled ${i}`));
      client.captureException(new Error('fatal'), { mechanism: { type: 'test', handled: false } });
      await client.close(5000);
      const events = c.items({ type: 'event' }).map((i) => i.payload as { exception: { values: Array<{ value: string }> }; fingerprint_version?: number });
      expect(events.map((e) => [e.exception.values[0]!.value, e.fingerprint_version])).toEqual([['fatal', FINGERPRINT_VERSION]]);
      expect(platform.warnings.filter((w) => w.includes('sampleRate 0'))).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});

describe('client reports without an explicit flush', () => {
  it('are sent within clientReportFlushInterval', async () => {
    const c = await collector();
    try {
      const client = createClient({ dsn: c.dsn, release: 'app@1', fingerprintBudget: 0, spikeLimitPerMinute: 1, clientReportFlushInterval: 50 }, testPlatform());
      await client.start();
      for (let i = 0; i < 4; i++) client.captureException(new Error('flood'));
      await until(() => c.items({ type: 'client_report' }).length > 0, 'a client report');
      const [report] = c.items({ type: 'client_report' });
      expect((report!.payload as { discarded_events: unknown[] }).discarded_events).toEqual([{ reason: 'spike_protection', category: 'error', quantity: 3 }]);
      await client.close(2000);
    } finally {
      await c.close();
    }
  });
});

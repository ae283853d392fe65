import { describe, expect, it } from 'vitest';
import type { Event } from '@sentry/core';
import { createClient, createEventPolicy, fingerprintOf, type PolicyOptions } from '@crashfree/core';
import { collector, testPlatform, until } from './helpers.js';

const handled = (value: string, line = 1): Event => ({
  exception: { values: [{ type: 'Error', value, mechanism: { type: 'generic', handled: true }, stacktrace: { frames: [{ filename: 'a.js', function: 'f', lineno: line }] } }] },
});

function policy(over: Partial<PolicyOptions> = {}) {
  let now = 0;
  let rnd = 0.99;
  const p = { decide: createEventPolicy({ sampleRate: 1, fingerprintBudget: 20, spikeLimitPerMinute: 60, now: () => now, random: () => rnd, ...over }) };
  return { p, advance: (ms: number) => (now += ms), setRandom: (r: number) => (rnd = r) };
}

describe('event policy', () => {
  it('fingerprints by the event fingerprint, else type + value + top frame', () => {
    expect(fingerprintOf({ ...handled('x'), fingerprint: ['checkout', 'db'] })).toBe('checkout\u0000db');
    expect(fingerprintOf(handled('x', 1))).not.toBe(fingerprintOf(handled('x', 2)));
    expect(fingerprintOf(handled('x', 1))).toBe(fingerprintOf(handled('x', 1)));
  });

  it('keeps the first N of every fingerprint even at sampleRate 0, then samples', () => {
    const { p } = policy({ sampleRate: 0, fingerprintBudget: 3 });
    const a = Array.from({ length: 5 }, () => p.decide(handled('a'), false));
    const b = Array.from({ length: 4 }, () => p.decide(handled('b'), false));
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
    expect(p.decide(handled('other'), false)).toBeUndefined();
    advance(60_000);
    expect(p.decide(handled('flood'), false)).toBeUndefined();
  });

  it('bounds the fingerprints it remembers', () => {
    const { p } = policy({ sampleRate: 0, fingerprintBudget: 1, maxFingerprints: 10 });
    expect(p.decide(handled('first'), false)).toBeUndefined();
    for (let i = 0; i < 10; i++) p.decide(handled(`x${i}`), false);
    // "first" was forgotten (least recently seen), so it has a fresh budget.
    expect(p.decide(handled('first'), false)).toBeUndefined();
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

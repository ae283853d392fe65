// The lite client's opt-in parts: the event policy and hashed user ids are
// integrations there (a page bundle without them carries none of their code).
// With them, the same behaviour as createClient; the options only they act on
// are refused at the top level, naming the integration to use instead.
import { createHash } from 'node:crypto';
import type { Collector } from '@crashfree/collector';
import { close, createLiteClient, eventPolicyIntegration, hashUserIdIntegration, setUser, type LiteClient } from '@crashfree/core/lite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collector as startCollector, sessions, testPlatform } from './helpers.js';

let collector: Collector;
let client: LiteClient | undefined;
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector?.close();
});
afterEach(async () => {
  await client?.close(2000);
  await close(100);
  setUser(null);
  client = undefined;
});

const ofRelease = (release: string) => (payload: Record<string, unknown>) => (payload.attrs as { release?: string } | undefined)?.release === release;
const events = (release: string) => collector.items({ type: 'event' }).filter((i) => (i.payload as { release?: string }).release === release);
/** Discarded-event counts of the client reports received, from the `from`-th report on. */
const reports = (from = 0) => collector.items({ type: 'client_report' }).slice(from).flatMap((i) => (i.payload as { discarded_events: unknown[] }).discarded_events);
const reportCount = () => collector.items({ type: 'client_report' }).length;

describe('lite client opt-ins', () => {
  it('eventPolicyIntegration: the fingerprint budget, then sampleRate, drop handled errors (counted, reported); unhandled ones always go', async () => {
    const platform = testPlatform({ run: 'policy' });
    const release = 'optin@1.0.0';
    // Above rate 0 the budget applies; the injected randomness makes every sampling decision a drop.
    client = createLiteClient({ dsn: collector.dsn, release, sampleRate: 0.5, integrations: [eventPolicyIntegration({ fingerprintBudget: 1 })] }, platform, { random: () => 0.99 });
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 3; i++) client.captureException(new Error('same'));
    client.captureException(new Error('same'), { mechanism: { handled: false, type: 'onerror' } });
    await client.close(5000);
    expect(events(release)).toHaveLength(2);
    expect(sessions(collector).filter(ofRelease(release)).at(-1)).toMatchObject({ status: 'crashed', errors: 3 });
    expect(reports(before)).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 2 }]);
    expect(platform.errors).toEqual([]);
  });

  it('eventPolicyIntegration: the spike guard caps a fingerprint per minute once its budget is spent', async () => {
    const platform = testPlatform({ run: 'spike' });
    const release = 'optin@1.0.6';
    client = createLiteClient({ dsn: collector.dsn, release, integrations: [eventPolicyIntegration({ fingerprintBudget: 2, spikeLimitPerMinute: 3 })] }, platform);
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 5; i++) client.captureException(new Error('spike'));
    await client.close(5000);
    expect(events(release)).toHaveLength(3);
    expect(reports(before)).toEqual([{ reason: 'spike_protection', category: 'error', quantity: 2 }]);
  });

  it('eventPolicyIntegration refuses wrong options with a TypeError naming option, value and expectation', () => {
    expect(() => eventPolicyIntegration({ fingerprintBudget: -1, spikeLimitPerMinute: 'lots' as unknown as number })).toThrow(
      new TypeError(
        '[crashfree] eventPolicyIntegration: option "fingerprintBudget" is -1 (number); expected an integer from 0 to 1000000; option "spikeLimitPerMinute" is "lots" (string); expected an integer from 1 to 1000000.',
      ),
    );
  });

  it('hashUserId: true is refused at the top level, naming the integration (client disabled); wrong policy options are named too', () => {
    const platform = testPlatform({ run: 'refused' });
    client = createLiteClient({ dsn: collector.dsn, release: 'optin@1.0.1', fingerprintBudget: -1, spikeLimitPerMinute: 0, hashUserId: true }, platform);
    expect(client.isEnabled()).toBe(false);
    expect(platform.errors).toEqual([
      '[crashfree] init: option "fingerprintBudget" is -1 (number); expected an integer from 0 to 1000000; ' +
        'option "spikeLimitPerMinute" is 0 (number); expected an integer from 1 to 1000000; ' +
        'option "hashUserId" is true (boolean); expected hashUserIdIntegration() in "integrations" instead. crashfree is disabled.',
    ]);
    const off = testPlatform({ run: 'hash-off' });
    client = createLiteClient({ dsn: collector.dsn, release: 'optin@1.0.1', hashUserId: false, fingerprintBudget: 0, spikeLimitPerMinute: 1 }, off);
    expect(client.isEnabled()).toBe(true);
    expect(off.errors).toEqual([]);
  });

  it('sampleRate 0 sends no handled error (a set budget is named as ignored, once, at init); crashes still go', async () => {
    const platform = testPlatform({ run: 'rate0' });
    const release = 'optin@1.0.40';
    client = createLiteClient({ dsn: collector.dsn, release, sampleRate: 0, fingerprintBudget: 5 }, platform);
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 3; i++) client.captureException(new Error('handled'));
    client.captureException(new Error('unhandled'), { mechanism: { handled: false, type: 'onerror' } });
    await client.close(5000);
    const values = events(release).map((e) => (e.payload as { exception: { values: { value: string }[] } }).exception.values[0]!.value);
    expect(values).toEqual(['unhandled']);
    expect(reports(before)).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 3 }]);
    expect(platform.warnings.filter((w) => w.includes('sampleRate 0'))).toEqual(['[crashfree] "fingerprintBudget" is ignored: sampleRate 0 sends no handled errors.']);
    expect((events(release)[0]!.payload as { fingerprint_version?: number }).fingerprint_version).toBe(1);
  });

  it('the event policy is on by default: the first 20 handled errors of a fingerprint are kept, then sampled; unhandled ones always go', async () => {
    const platform = testPlatform({ run: 'sampled' });
    const release = 'optin@1.0.5';
    client = createLiteClient({ dsn: collector.dsn, release, sampleRate: 0.5 }, platform, { random: () => 0.99 });
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 22; i++) client.captureException(new Error('handled'));
    client.captureException(new Error('unhandled'), { mechanism: { handled: false, type: 'onerror' } });
    await client.close(5000);
    const values = events(release).map((e) => (e.payload as { exception: { values: { value: string }[] } }).exception.values[0]!.value);
    expect(values.filter((v) => v === 'handled')).toHaveLength(20);
    expect(values.filter((v) => v === 'unhandled')).toHaveLength(1);
    expect(sessions(collector).filter(ofRelease(release)).at(-1)).toMatchObject({ status: 'crashed', errors: 22 });
    expect(reports(before)).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 2 }]);
    expect(platform.errors).toEqual([]);
  });

  it('the top-level fingerprintBudget and spikeLimitPerMinute set the default policy (spike guard after the budget)', async () => {
    const platform = testPlatform({ run: 'top-level' });
    const release = 'optin@1.0.7';
    client = createLiteClient({ dsn: collector.dsn, release, fingerprintBudget: 2, spikeLimitPerMinute: 3 }, platform);
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 5; i++) client.captureException(new Error('spike'));
    await client.close(5000);
    expect(events(release)).toHaveLength(3);
    expect(reports(before)).toEqual([{ reason: 'spike_protection', category: 'error', quantity: 2 }]);
  });

  it('hashUserIdIntegration: the session did is the SHA-256 hex of the user id', async () => {
    const platform = testPlatform({ run: 'hash' });
    const release = 'optin@1.0.2';
    setUser({ id: 'user-42' });
    client = createLiteClient({ dsn: collector.dsn, release, integrations: [hashUserIdIntegration()] }, platform);
    await client.start();
    await client.close(5000);
    const updates = sessions(collector).filter(ofRelease(release));
    expect(updates.length).toBeGreaterThan(0);
    const hex = createHash('sha256').update('user-42').digest('hex');
    for (const u of updates) expect(u.did).toBe(hex);
  });

  it('without hashUserIdIntegration the did is the user id itself', async () => {
    setUser({ id: 'user-43' });
    client = createLiteClient({ dsn: collector.dsn, release: 'optin@1.0.4' }, testPlatform({ run: 'plain' }));
    await client.start();
    await client.close(5000);
    const updates = sessions(collector).filter(ofRelease('optin@1.0.4'));
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u.did).toBe('user-43');
  });
});

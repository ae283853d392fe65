// The lite client's opt-in parts: the event policy and hashed user ids are
// integrations there (a page bundle without them carries none of their code).
// With them, the same behaviour as createClient; without them, one warning per
// option that would act through them, and a user id to hash never sent in the clear.
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
    client = createLiteClient({ dsn: collector.dsn, release, fingerprintBudget: 1, sampleRate: 0, integrations: [eventPolicyIntegration()] }, platform);
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 3; i++) client.captureException(new Error('same'));
    client.captureException(new Error('same'), { mechanism: { handled: false, type: 'onerror' } });
    await client.close(5000);
    expect(events(release)).toHaveLength(2);
    expect(sessions(collector).filter(ofRelease(release)).at(-1)).toMatchObject({ status: 'crashed', errors: 3 });
    expect(reports(before)).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 2 }]);
    expect(platform.warnings.filter((w) => w.includes('needs'))).toEqual([]);
  });

  it('without eventPolicyIntegration no budget or spike guard drops, and each of their options set says it is ignored', async () => {
    const platform = testPlatform({ run: 'no-policy' });
    const release = 'optin@1.0.1';
    client = createLiteClient({ dsn: collector.dsn, release, fingerprintBudget: 1, spikeLimitPerMinute: 1 }, platform);
    await client.start();
    for (let i = 0; i < 3; i++) client.captureException(new Error('same'));
    await client.flush(5000);
    expect(events(release)).toHaveLength(3);
    expect(platform.warnings.filter((w) => w.includes('needs'))).toEqual([
      '[crashfree] option "fingerprintBudget" needs eventPolicyIntegration() here; it is ignored.',
      '[crashfree] option "spikeLimitPerMinute" needs eventPolicyIntegration() here; it is ignored.',
    ]);
  });

  it('without eventPolicyIntegration sampleRate alone samples handled errors (reported); unhandled ones always go', async () => {
    const platform = testPlatform({ run: 'sampled' });
    const release = 'optin@1.0.5';
    client = createLiteClient({ dsn: collector.dsn, release, sampleRate: 0 }, platform);
    await client.start();
    const before = reportCount();
    for (let i = 0; i < 2; i++) client.captureException(new Error(`handled ${i}`));
    client.captureException(new Error('unhandled'), { mechanism: { handled: false, type: 'onerror' } });
    await client.close(5000);
    expect(events(release).map((e) => (e.payload as { exception: { values: { value: string }[] } }).exception.values[0]!.value)).toEqual(['unhandled']);
    expect(sessions(collector).filter(ofRelease(release)).at(-1)).toMatchObject({ status: 'crashed', errors: 2 });
    expect(reports(before)).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 2 }]);
    expect(platform.warnings.filter((w) => w.includes('needs'))).toEqual([]);
  });

  it('hashUserIdIntegration: the session did is the SHA-256 hex of the user id', async () => {
    const platform = testPlatform({ run: 'hash' });
    const release = 'optin@1.0.2';
    setUser({ id: 'user-42' });
    client = createLiteClient({ dsn: collector.dsn, release, hashUserId: true, integrations: [hashUserIdIntegration()] }, platform);
    await client.start();
    await client.close(5000);
    const updates = sessions(collector).filter(ofRelease(release));
    expect(updates.length).toBeGreaterThan(0);
    const hex = createHash('sha256').update('user-42').digest('hex');
    for (const u of updates) expect(u.did).toBe(hex);
    expect(platform.warnings.filter((w) => w.includes('needs'))).toEqual([]);
  });

  it('hashUserId without its integration: no did at all (never the id in the clear) and one warning; without hashUserId the id itself', async () => {
    const hashed = testPlatform({ run: 'no-hash' });
    setUser({ id: 'user-43' });
    client = createLiteClient({ dsn: collector.dsn, release: 'optin@1.0.3', hashUserId: true }, hashed);
    await client.start();
    await client.close(5000);
    const updates = sessions(collector).filter(ofRelease('optin@1.0.3'));
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) expect(u).not.toHaveProperty('did');
    expect(hashed.warnings.filter((w) => w.includes('needs'))).toEqual(['[crashfree] option "hashUserId" needs hashUserIdIntegration() here; sessions are sent without did.']);

    client = createLiteClient({ dsn: collector.dsn, release: 'optin@1.0.4' }, testPlatform({ run: 'plain' }));
    await client.start();
    await client.close(5000);
    for (const u of sessions(collector).filter(ofRelease('optin@1.0.4'))) expect(u.did).toBe('user-43');
  });
});

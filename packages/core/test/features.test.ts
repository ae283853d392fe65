// A client built with only some optional parts (`createClientWith`), as the
// browser builds it: what is missing degrades as documented, never throws.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { getCurrentScope, getIsolationScope } from '@sentry/core';
import { createClientWith, sha256HexSync } from '@crashfree/core';
import { collector, sessions, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
  getIsolationScope().setUser(null);
  getCurrentScope().setUser(null);
});

describe('createClientWith (no optional parts)', () => {
  it('refuses request mode at init, naming the option, and stays disabled', () => {
    const platform = testPlatform();
    const client = createClientWith({ dsn: 'http://k@127.0.0.1:9/1', release: 'app@1', sessionMode: 'request' }, platform, {});
    expect(client.isEnabled()).toBe(false);
    expect(platform.errors).toEqual([
      '[crashfree] init: option "sessionMode" is "request" (string); expected "application" (this platform has no request mode). crashfree is disabled.',
    ]);
  });

  it('hashes the did with WebCrypto: the same SHA-256 as the full client', async () => {
    c = await collector();
    const client = createClientWith({ dsn: c.dsn, release: 'app@1', hashUserId: true }, testPlatform(), {});
    getIsolationScope().setUser({ id: 'user-7' });
    await client.start();
    await client.close(5000);
    expect(sessions(c).map((s) => s.did)).toEqual([sha256HexSync('user-7'), sha256HexSync('user-7')]);
  });

  it('captureFatalSync without the fatal part: the session ends crashed and the event is sent', async () => {
    c = await collector();
    const client = createClientWith({ dsn: c.dsn, release: 'app@1' }, testPlatform(), {});
    await client.start();
    const id = client.captureFatalSync(new Error('fatal without the fatal part'));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await client.close(5000);
    expect(sessions(c).map((s) => s.status)).toEqual(['ok', 'crashed']);
    const [event] = c.items({ type: 'event' });
    expect((event?.payload as { event_id: string }).event_id).toBe(id);
    expect((event?.payload as { exception: { values: Array<{ mechanism: { handled: boolean } }> } }).exception.values[0]!.mechanism.handled).toBe(false);
  });
});

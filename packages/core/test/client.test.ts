import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '@crashfree/collector';
import { createClient } from '@crashfree/core';
import { collector, sessions, testClock, testPlatform } from './helpers.js';

let c: Collector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

describe('application-mode sessions end to end', () => {
  it('sends one init, a first-error update and an exited update with monotonic seq and correct duration', async () => {
    c = await collector();
    const clock = testClock();
    const platform = testPlatform();
    const client = createClient({ dsn: c.dsn, release: 'app@1.2.3', environment: 'staging' }, platform, { now: clock.now });
    await client.start();
    const sid = client.getSessionId();
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    clock.advance(1500);
    client.captureException(new Error('first'));
    client.captureException(new Error('second'));
    clock.advance(2500);
    await client.close(5000);

    const got = sessions(c);
    expect(got.map((s) => [s.status, s.errors, s.init, s.seq])).toEqual([
      ['ok', 0, true, 0],
      ['ok', 1, false, 1],
      ['exited', 2, false, 2],
    ]);
    for (const s of got) {
      expect(s.sid).toBe(sid);
      expect(s.attrs).toEqual({ release: 'app@1.2.3', environment: 'staging' });
      expect(s.started).toBe(new Date(Date.UTC(2026, 0, 1, 12, 0, 0)).toISOString());
    }
    expect(got[2]!.duration).toBe(4);
    const events = c.items({ type: 'event' });
    expect(events.map((e) => (e.payload as { exception: { values: Array<{ value: string }> } }).exception.values[0]!.value)).toEqual(['first', 'second']);
    expect(platform.warnings).toEqual([]);
    expect(await platform.store.keys()).toEqual([]);
  });

  it('an unhandled error marks the session crashed exactly once', async () => {
    c = await collector();
    const client = createClient({ dsn: c.dsn, release: 'app@1.0.0' }, testPlatform());
    await client.start();
    client.captureException(new Error('boom'), { mechanism: { type: 'onuncaughtexception', handled: false } });
    client.captureException(new Error('after'), { mechanism: { type: 'onuncaughtexception', handled: false } });
    await client.close(5000);
    expect(sessions(c).map((s) => s.status)).toEqual(['ok', 'crashed']);
  });
});

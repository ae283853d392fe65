import type { Collector } from '@crashfree/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCH_KEY } from '../src/index.js';
import { collector, device, events, eventually, sessionUpdates } from './helpers.js';

let c: Collector;
beforeAll(async () => {
  c = await collector();
});
afterAll(async () => {
  await c.close();
});

const crashAtLaunch = (message: string) => (globalThis as any).ErrorUtils.reportFatalError(new Error(message));

describe('launch crashes', () => {
  it('are tagged, counted, sent before ready on the next launch, and repeated ones switch on safe mode', async () => {
    const offline = device({ dsn: 'http://public@127.0.0.1:9/1' });
    for (let i = 1; i <= 2; i++) {
      const app = offline.launch({ fatalFlushTimeoutMs: 50 });
      crashAtLaunch(`boot ${i}`);
      await eventually(() => app.fatalsSeen.length === 1, 'previous handler');
      app.kill();
    }
    const markers = () => [...offline.data.keys()].filter((k) => k.startsWith(`@crashfree/${LAUNCH_KEY}`));
    expect(markers()).toHaveLength(2);

    const d = device(c);
    for (const [k, v] of offline.data) d.data.set(k, v);
    const app = d.launch({ launchCrashWindowMs: 100 });
    const ready = await app.sdk.ready;
    expect(ready).toMatchObject({ previousLaunchCrashed: true, safeMode: true, nativeStatus: 'safe mode' });
    // Sent before ready resolved, not eventually.
    const boots = events(c).filter((e) => /^boot \d$/.test(e.exception?.values?.[0]?.value));
    expect(boots.map((e) => e.tags?.launch_crash)).toEqual(['yes', 'yes']);
    // Each crashed launch had its session (started synchronously in init), now ended `crashed`.
    const crashed = sessionUpdates(c).filter((u) => u.status === 'crashed');
    expect(new Set(crashed.map((u) => u.sid)).size).toBe(2);
    // Surviving the launch window resets the counter.
    await eventually(() => ![...d.data.keys()].some((k) => k.startsWith(`@crashfree/${LAUNCH_KEY}`)), 'markers deleted');
    await app.sdk.close(2000);
    const after = d.launch();
    expect(await after.sdk.ready).toMatchObject({ previousLaunchCrashed: false, safeMode: false });
    await after.sdk.close(2000);
  });

  it('a crash after the launch window does not count as a launch crash', async () => {
    const d = device(c);
    const app = d.launch({ launchCrashWindowMs: 10, fatalFlushTimeoutMs: 2000 });
    await app.sdk.ready;
    await new Promise((r) => setTimeout(r, 30));
    crashAtLaunch('later');
    await eventually(() => app.fatalsSeen.length === 1, 'previous handler');
    app.kill();
    const next = d.launch();
    expect(await next.sdk.ready).toMatchObject({ previousLaunchCrashed: false, safeMode: false });
    await next.sdk.close(2000);
    expect(events(c).find((e) => e.exception?.values?.[0]?.value === 'later')?.tags?.launch_crash).toBeUndefined();
  });
});

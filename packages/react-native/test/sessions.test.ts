import type { Collector } from '@crashfree/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_STATE_KEY, setUser } from '../src/index.js';
import { collector, device, eventually, sessionUpdates } from './helpers.js';
import { appStateListenerCount, setAppState } from './shim/react-native.js';

let c: Collector;
beforeAll(async () => {
  c = await collector();
});
afterAll(async () => {
  await c.close();
});

const forSid = (sid: string) => sessionUpdates(c).filter((u) => u.sid === sid);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('app-state sessions', () => {
  it('continue a session after a short background period and start a new one after a long one', async () => {
    const d = device(c);
    const app = d.launch({ backgroundTimeoutMs: 150 });
    await app.sdk.ready;
    const first = app.sdk.client!.getSessionId()!;
    expect(first).toMatch(/^[0-9a-f]{32}$/);

    setAppState('background');
    await sleep(20);
    setAppState('active');
    expect(app.sdk.client!.getSessionId()).toBe(first);

    setAppState('background');
    const persisted = JSON.parse(d.data.get(`@crashfree/${APP_STATE_KEY}`)!.slice(1));
    expect(persisted).toMatchObject({ state: 'background', sid: first });
    await sleep(200);
    setAppState('active');
    const second = app.sdk.client!.getSessionId()!;
    expect(second).not.toBe(first);

    await app.sdk.close(2000);
    const a = await eventually(() => forSid(first).find((u) => u.status === 'exited') && forSid(first), 'first session exited');
    expect(a.filter((u) => u.init === true)).toHaveLength(1);
    expect(a.map((u) => u.status)).toEqual(['ok', 'exited']);
    const b = await eventually(() => forSid(second).find((u) => u.status === 'exited') && forSid(second), 'second session exited');
    expect(b[0]).toMatchObject({ init: true, status: 'ok', attrs: { release: 'app@1.0.0+1', environment: 'test' } });
    expect(appStateListenerCount()).toBe(0);
  });

  it('carries the user set with setUser as did', async () => {
    setUser({ id: 'user-7' });
    try {
      const app = device(c).launch();
      await app.sdk.ready;
      const sid = app.sdk.client!.getSessionId()!;
      await app.sdk.close(2000);
      const updates = await eventually(() => forSid(sid).find((u) => u.status === 'exited') && forSid(sid), 'exited update');
      expect(updates.map((u) => u.did)).toEqual(['user-7', 'user-7']);
    } finally {
      setUser(null);
    }
  });

  it('a session whose app died without a terminal status is sent abnormal on the next launch, once', async () => {
    const d = device(c);
    const first = d.launch();
    await first.sdk.ready;
    const sid = first.sdk.client!.getSessionId()!;
    await eventually(() => forSid(sid).length === 1, 'init update');
    first.kill();

    const second = d.launch();
    const ready = await second.sdk.ready;
    expect(ready.recovery.abnormal).toBe(1);
    await eventually(() => forSid(sid).some((u) => u.status === 'abnormal'), 'abnormal update');
    await second.sdk.close(2000);

    const third = d.launch();
    expect((await third.sdk.ready).recovery.abnormal).toBe(0);
    await third.sdk.close(2000);
    expect(forSid(sid).filter((u) => u.status === 'abnormal')).toHaveLength(1);
  });
});

describe('background periods', () => {
  it('an app killed by the OS in the background is recovered exited at the time it left, not abnormal', async () => {
    const d = device(c);
    const first = d.launch();
    await first.sdk.ready;
    const sid = first.sdk.client!.getSessionId()!;
    await sleep(120);
    setAppState('background');
    // The hint is persisted with the session state before the OS kills the app.
    await eventually(() => /"pendingEnd":\{"status":"exited"/.test(d.data.get(`@crashfree/session/${sid}`) ?? ''), 'persisted hint');
    await sleep(300);
    first.kill();

    const second = d.launch();
    const ready = await second.sdk.ready;
    expect(ready.recovery).toMatchObject({ abnormal: 0, crashed: 0 });
    const end = await eventually(() => forSid(sid).find((u) => u.status === 'exited'), 'exited update');
    // Ended when it went to the background (~0.12 s in), not when it was killed (~0.42 s in).
    expect(end.duration as number).toBeGreaterThanOrEqual(0.1);
    expect(end.duration as number).toBeLessThan(0.3);
    expect(forSid(sid).some((u) => u.status === 'abnormal')).toBe(false);
    await second.sdk.close(2000);
  });

  it('back in the foreground, the hint is cleared: dying then is abnormal; a long background is not in the duration', async () => {
    const d = device(c);
    const first = d.launch({ backgroundTimeoutMs: 150 });
    await first.sdk.ready;
    const sid = first.sdk.client!.getSessionId()!;
    setAppState('background');
    await sleep(250);
    setAppState('active'); // after the timeout: `sid` ends exited at the background time, a new session starts
    const second = first.sdk.client!.getSessionId()!;
    expect(second).not.toBe(sid);
    const ended = await eventually(() => forSid(sid).find((u) => u.status === 'exited'), 'first session exited');
    expect(ended.duration as number).toBeLessThan(0.2);

    setAppState('background');
    await sleep(20);
    setAppState('active'); // short: continues, hint cleared
    await eventually(() => !/"pendingEnd"/.test(d.data.get(`@crashfree/session/${second}`) ?? '"pendingEnd"'), 'hint cleared');
    first.kill();
    const next = d.launch();
    expect((await next.sdk.ready).recovery.abnormal).toBe(1);
    await eventually(() => forSid(second).some((u) => u.status === 'abnormal'), 'abnormal update');
    await next.sdk.close(2000);
  });
});

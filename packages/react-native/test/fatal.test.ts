import type { Collector } from '@crashfree/collector';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/index.js';
import { collector, device, events, eventually, fakeMMKV, sessionUpdates } from './helpers.js';

let c: Collector;
beforeAll(async () => {
  c = await collector();
});
afterAll(async () => {
  await c.close();
});

const forSid = (sid: string) => sessionUpdates(c).filter((u) => u.sid === sid);
const errorUtils = () => (globalThis as any).ErrorUtils as { reportFatalError(e: unknown): void; reportError(e: unknown): void };

function throwFrom(name: string): Error {
  try {
    throw new TypeError(`${name} broke`);
  } catch (e) {
    return e as Error;
  }
}

describe('fatal JS errors', () => {
  it('mark the session crashed, send it with the event, then call the previous handler', async () => {
    const d = device(c);
    const app = d.launch({ launchCrashWindowMs: 0 });
    await app.sdk.ready;
    const sid = app.sdk.client!.getSessionId()!;
    const error = throwFrom('checkout');
    errorUtils().reportFatalError(error);
    // RN's handler (which ends the app) runs only after the bounded send.
    expect(app.fatalsSeen).toHaveLength(0);
    await eventually(() => app.fatalsSeen.length === 1, 'previous handler');
    expect(app.fatalsSeen[0]).toEqual({ error, isFatal: true });

    const crashed = forSid(sid).filter((u) => u.status === 'crashed');
    expect(crashed).toHaveLength(1);
    const event = events(c).find((e) => e.exception?.values?.[0]?.value === 'checkout broke');
    expect(event).toBeDefined();
    expect(event!.exception.values[0].mechanism).toMatchObject({ type: 'onerror', handled: false });
    expect(event!.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    expect(event!.contexts).toMatchObject({ os: { name: 'Android', version: '34' }, react_native: { js_engine: 'jsc' } });
    // Already delivered: the next launch finds nothing to recover.
    app.kill();
    const next = d.launch();
    const ready = await next.sdk.ready;
    expect(ready.recovery).toMatchObject({ crashed: 0, abnormal: 0 });
    await next.sdk.close(2000);
    expect(forSid(sid).filter((u) => u.status === 'crashed')).toHaveLength(1);
  });

  it('when sending hangs, the bounded wait ends and the next launch sends the crash exactly once', async () => {
    // A server that accepts connections and never answers: only the bound can end the wait.
    const sockets: Socket[] = [];
    const hanging = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const port = (hanging.address() as AddressInfo).port;
    const d = device({ dsn: `http://public@127.0.0.1:${port}/1` });
    const app = d.launch({ fatalFlushTimeoutMs: 300, launchCrashWindowMs: 0 });
    await app.sdk.ready;
    const sid = app.sdk.client!.getSessionId()!;
    errorUtils().reportFatalError(throwFrom('payment'));
    await eventually(() => app.fatalsSeen.length === 1, 'previous handler after the bounded wait');
    app.kill();
    for (const s of sockets) s.destroy();
    await new Promise((r) => hanging.close(r));

    // Same device, now online: move its persisted state to a launch that reaches the collector.
    const online = device(c);
    for (const [k, v] of d.data) online.data.set(k, v);
    const next = online.launch();
    const ready = await next.sdk.ready;
    expect(ready.recovery.crashed).toBe(1);
    await eventually(() => forSid(sid).some((u) => u.status === 'crashed'), 'crashed update');
    await eventually(() => events(c).some((e) => e.exception?.values?.[0]?.value === 'payment broke'), 'crash event');
    await next.sdk.close(2000);
    const again = online.launch();
    expect((await again.sdk.ready).recovery.crashed).toBe(0);
    await again.sdk.close(2000);
    expect(forSid(sid).filter((u) => u.status === 'crashed')).toHaveLength(1);
    expect(events(c).filter((e) => e.exception?.values?.[0]?.value === 'payment broke')).toHaveLength(1);
  });

  it('a second init replaces the first handler instead of stacking on it: one crash, one crashed session', async () => {
    const d = device(c);
    const first = d.launch({ launchCrashWindowMs: 0 });
    await first.sdk.ready;
    const firstSid = first.sdk.client!.getSessionId()!;
    const second = init({ dsn: c.dsn, release: 'app@1.0.0+1', storage: fakeMMKV(), launchCrashWindowMs: 0 });
    await second.ready;
    const secondSid = second.client!.getSessionId()!;
    errorUtils().reportFatalError(throwFrom('twice'));
    await eventually(() => first.fatalsSeen.length === 1, 'RN handler');
    await first.sdk.client!.flush(2000);
    expect(first.fatalsSeen).toEqual([{ error: expect.any(TypeError), isFatal: true }]);
    const crashed = sessionUpdates(c).filter((u) => (u.sid === firstSid || u.sid === secondSid) && u.status === 'crashed');
    expect(crashed.map((u) => u.sid)).toEqual([secondSid]);
    first.kill();
  });

  it('with MMKV the crashed session and the crash record are durable before the handler returns', async () => {
    const data = new Map<string, string>();
    const { resetReactNative } = await import('./shim/react-native.js');
    resetReactNative();
    const sdk = init({ dsn: 'http://public@127.0.0.1:9/1', release: 'app@1.0.0+1', storage: fakeMMKV(data), launchCrashWindowMs: 0 });
    await sdk.ready;
    const sid = sdk.client!.getSessionId()!;
    errorUtils().reportFatalError(throwFrom('sync'));
    // Read synchronously: nothing has been awaited since the fatal error.
    const record = data.get(`@crashfree/crash/${sid}`);
    expect(record && JSON.parse(record.slice(1)).event.exception.values[0].value).toBe('sync broke');
    expect(JSON.parse(data.get(`@crashfree/session/${sid}`)!.slice(1)).status).toBe('crashed');
  });

  it('non-fatal errors and unhandled rejections count as errors, not crashes', async () => {
    let tracker: { onUnhandled(id: number, r: unknown): void } | undefined;
    (globalThis as any).HermesInternal = {
      hasPromise: () => true,
      enablePromiseRejectionTracker: (o: typeof tracker) => {
        tracker = o;
      },
    };
    try {
      const app = device(c).launch();
      await app.sdk.ready;
      const sid = app.sdk.client!.getSessionId()!;
      errorUtils().reportError(throwFrom('render'));
      expect(app.fatalsSeen).toEqual([{ error: expect.any(TypeError), isFatal: false }]);
      expect(tracker).toBeDefined();
      tracker!.onUnhandled(1, throwFrom('refresh'));
      await app.sdk.close(2000);
      const last = forSid(sid).at(-1)!;
      expect(last).toMatchObject({ status: 'exited', errors: 2 });
      const rejection = events(c).find((e) => e.exception?.values?.[0]?.value === 'refresh broke');
      expect(rejection?.exception.values[0].mechanism).toMatchObject({ type: 'onunhandledrejection', handled: true });
    } finally {
      delete (globalThis as any).HermesInternal;
    }
  });
});

/*
 * Cross-check of the SDK against React Native's own jest preset: RN's
 * AppState mock, RN's real error-guard polyfill (global ErrorUtils), RN's
 * TurboModuleRegistry, and AsyncStorage's own jest mock — sending to a real
 * collector on loopback.
 */
import AsyncStorageMock from '@react-native-async-storage/async-storage/jest/async-storage-mock';
import { startCollector } from '@crashfree/collector';
import { runStoreContract } from '@crashfree/core/testing';
import { AppState } from 'react-native';
import { asyncStorageStore, init } from '../src/index';

runStoreContract(
  'asyncStorageStore over AsyncStorage jest mock',
  async () => {
    await AsyncStorageMock.clear();
    return asyncStorageStore(AsyncStorageMock);
  },
  { describe, it, expect },
);

async function eventually<T>(fn: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('SDK under the react-native jest preset', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector({ port: 0, log: () => {} });
  });
  afterAll(async () => {
    await collector.close();
  });

  const sessions = (sid: string) => collector.items({ type: 'session' }).map((i) => i.payload as any).filter((u) => u.sid === sid);

  it('follows AppState through RN mock listeners and chains the fatal handler of RN error-guard', async () => {
    await AsyncStorageMock.clear();
    const previous = jest.fn();
    const errorUtils = (global as any).ErrorUtils;
    errorUtils.setGlobalHandler(previous);

    const sdk = init({ dsn: collector.dsn, release: 'jest@1.0.0', storage: AsyncStorageMock, backgroundTimeoutMs: 0, launchCrashWindowMs: 0 });
    const ready = await sdk.ready;
    expect(ready).toMatchObject({ enabled: true, safeMode: false, nativeStatus: 'the native module is not linked' });
    const first = sdk.client!.getSessionId()!;

    // RN's AppState mock records listeners; play the OS's part through them.
    const calls = (AppState.addEventListener as jest.Mock).mock.calls.filter((c) => c[0] === 'change');
    expect(calls).toHaveLength(1);
    const onChange = calls[0][1] as (s: string) => void;
    onChange('background');
    await new Promise((r) => setTimeout(r, 5));
    onChange('active');
    const second = sdk.client!.getSessionId()!;
    expect(second).not.toBe(first);
    await eventually(() => sessions(first).some((u) => u.status === 'exited'), 'first session exited');

    const error = new RangeError('jest fatal');
    errorUtils.reportFatalError(error);
    await eventually(() => previous.mock.calls.length === 1, 'previous handler');
    expect(previous).toHaveBeenCalledWith(error, true);
    expect(sessions(second).filter((u) => u.status === 'crashed')).toHaveLength(1);
    const event = collector.items({ type: 'event' }).map((i) => i.payload as any).find((e) => e.exception.values[0].value === 'jest fatal');
    expect(event.exception.values[0]).toMatchObject({ type: 'RangeError', mechanism: { type: 'onerror', handled: false } });
    // Non-fatal reports (RN's reportError) reach the previous handler at once, as not fatal.
    errorUtils.reportError(new Error('soft'));
    expect(previous).toHaveBeenLastCalledWith(expect.any(Error), false);
    await sdk.close(2000);
  });
});

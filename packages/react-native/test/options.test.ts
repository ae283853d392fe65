import { afterEach, describe, expect, it, vi } from 'vitest';
import { init } from '../src/index.js';
import { resetReactNative } from './shim/react-native.js';

afterEach(() => vi.restoreAllMocks());

describe('init options', () => {
  it.each([
    ['backgroundTimeoutMs', -1, 'option "backgroundTimeoutMs" is -1 (number); expected a number of milliseconds >= 0'],
    ['fatalFlushTimeoutMs', '2s', 'option "fatalFlushTimeoutMs" is "2s" (string); expected a number of milliseconds >= 0'],
    ['safeModeAfterLaunchCrashes', 0, 'option "safeModeAfterLaunchCrashes" is 0 (number); expected an integer >= 1'],
    ['storage', { save() {} }, 'option "storage" is an object; expected a crashfree Store, the AsyncStorage module or an MMKV instance'],
    ['enableNative', 'yes', 'option "enableNative" is "yes" (string); expected true or false'],
  ])('a wrong %s names the option, the value and what is expected, and disables the SDK', async (name, value, message) => {
    const { fatalsSeen } = resetReactNative();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sdk = init({ dsn: 'http://k@127.0.0.1:9/1', release: 'a@1', [name]: value });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![0]).toBe(`[crashfree] init: ${message}. crashfree is disabled.`);
    expect(sdk.client).toBeUndefined();
    expect((await sdk.ready).enabled).toBe(false);
    // Disabled means hands off: the app's error handler is untouched.
    (globalThis as any).ErrorUtils.reportFatalError(new Error('x'));
    expect(fatalsSeen).toHaveLength(1);
  });

  it('a wrong core option is reported by the core once and leaves the app handler alone', async () => {
    resetReactNative();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sdk = init({ dsn: 'http://k@127.0.0.1:9/1', release: 'a@1', sampleRate: 2 });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toContain('"sampleRate"');
    expect((await sdk.ready).enabled).toBe(false);
  });
});

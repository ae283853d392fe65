/**
 * @crashfree/node — release health for Node.js: process and request
 * sessions, next-launch recovery of runs that died, V8 fatal errors (heap
 * OOM), event-loop hang detection and native crash capture, speaking
 * Sentry's envelope protocol.
 */
import { getClient } from '@sentry/core';

export { init, SDK_INFO, type NodeOptions } from './init.js';
export { captureException, captureMessage, setUser, setTag, setContext } from '@sentry/core';
export { wrapNativeAddon, getNativeCaptureStatus, type NativeCaptureStatus } from './native/index.js';
/** The client `init` returns (the core's client: `getSessionId`, `flush`, `close`, hooks). */
export type { CrashfreeClient } from '@crashfree/core';

/** Waits up to `timeoutMs` for everything captured so far to be sent; true when it all went out. */
export async function flush(timeoutMs = 2000): Promise<boolean> {
  const client = getClient();
  return client ? client.flush(timeoutMs) : true;
}

/**
 * Ends the session `exited`, sends what is pending (waiting up to
 * `timeoutMs`), and removes every hook the SDK installed.
 */
export async function close(timeoutMs = 2000): Promise<boolean> {
  const client = getClient();
  return client ? client.close(timeoutMs) : true;
}

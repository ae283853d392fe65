/**
 * The seam between @crashfree/node and @crashfree/native (owned by the
 * native-capture work). Until it lands, native capture reports itself off.
 */
import type { ExternalCrash } from '@crashfree/core';

/** What native capture needs, prepared by the Node SDK at init. */
export interface NativeSetupContext {
  /** The SDK's data dir (0700); native records and Crashpad's database live below it. */
  dataDir: string;
  release?: string;
  environment?: string;
  /** The application-mode session id, stamped into crash records. */
  sessionId?: string;
  sdk: { name: string; version: string };
  crashpadHandlerPath?: string;
  /** One-line diagnostics (debug logger). */
  log: (message: string) => void;
}

/** Health of native capture, reported as an event context and via `getNativeCaptureStatus()`. */
export interface NativeCaptureStatus {
  enabled: boolean;
  mode: 'crashpad' | 'inprocess' | 'off';
  /** Why capture is off or degraded, in one sentence. */
  reason?: string;
  altStack: boolean;
  chained: boolean;
  handlerPath?: string;
}

/** Installs native crash handlers; never throws. */
export function setupNativeCapture(_ctx: NativeSetupContext): NativeCaptureStatus {
  return { enabled: false, mode: 'off', reason: 'native capture is not built yet', altStack: false, chained: false };
}

/** Tells the native layer the current session id (after a new session starts). */
export function setNativeSessionId(_sessionId: string | undefined): void {}

/** Crash records of dead runs found under the data dir, as events for recovery. */
export async function collectNativeCrashes(_ctx: NativeSetupContext): Promise<ExternalCrash[]> {
  return [];
}

/** The current native capture health (what `setupNativeCapture` returned, or off before init). */
export function getNativeCaptureStatus(): NativeCaptureStatus {
  return { enabled: false, mode: 'off', reason: 'native capture is not built yet', altStack: false, chained: false };
}

/**
 * Wraps a user's native addon so a crash inside one of its functions is
 * attributed to the addon and the calling JS function. Until native capture
 * lands it returns the addon unchanged.
 */
export function wrapNativeAddon<T extends object>(addon: T, _options?: { name?: string }): T {
  return addon;
}

/**
 * The seam between @crashfree/node and @crashfree/native: installs the C
 * core's signal handlers, keeps the memory shared with them up to date,
 * wraps users' addons for attribution, and turns dead runs' native crashes
 * into events on the next launch.
 */
import type { ExternalCrash } from '@crashfree/core';
import * as path from 'node:path';

import { collectFromRuns } from './collect.js';
import { waitForCrashingRuns } from './crashing.js';
import { chooseCrashpadHandler } from './handler-path.js';
import { loadNativeAddon, type AddonLoad, type AddonStatus, type NativeAddon } from './load.js';
import { createRun } from './runs.js';
import { SharedBlock } from './shared-block.js';
import { addonName, wrapWithBlock } from './wrap.js';

/** The C core's default bound on the Crashpad handler's run at crash time. */
const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;
/** What a crash path may take beyond that bound: the in-process minidump and the re-raise. */
const CRASH_PATH_MARGIN_MS = 2_000;

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
  /** Where to look for a handler when none is configured (default: KNOWN_HANDLER_PATHS). */
  knownHandlerPaths?: readonly string[];
  /** Upper bound on the Crashpad handler's run at crash time (default 10 000 ms). */
  handlerTimeoutMs?: number;
  /** One-line diagnostics (debug logger). */
  log: (message: string) => void;
  /** One-line warnings shown without debug (no Crashpad handler found); defaults to `log`. */
  warn?: (message: string) => void;
  /**
   * Told how many dead runs' crashes `collectNativeCrashes` deleted unsent
   * because storage is bounded (the oldest beyond 20 go): the caller counts
   * them as client reports (`recordDroppedEvent('queue_overflow', 'error', n)`).
   * Called at most once per collection, only with n > 0; a throw is ignored.
   */
  onDropped?: (count: number) => void;
  /** Set when capture cannot work in this run (e.g. an unwritable data dir): capture stays off with this reason, and nothing is touched. */
  unavailable?: string;
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
  /** Whether the crashing thread's JS stack (and so the JS caller of an addon crash) is captured. */
  jsStack: boolean;
  /** Why not, in one sentence (the event's `native_addon.js_stack` then says the caller is unknown). */
  jsStackReason?: string;
}

/**
 * This module's one piece of process state (per JS thread): the loaded
 * addon, the shared-block writer and the last status. It exists because the
 * signal handlers themselves are process-wide.
 */
const capture: { load?: AddonLoad; block?: SharedBlock; status?: NativeCaptureStatus; ownsSession?: boolean } = {};

const OFF = (reason: string): NativeCaptureStatus => ({ enabled: false, mode: 'off', reason, altStack: false, chained: false, jsStack: false });

/**
 * Names the code this thread compiled before the JS stack was set up (the
 * app's top-level code, functions called before init): one walk of V8's heap,
 * a few ms, so it runs a moment after init instead of inside it, and never
 * keeps the process alive.
 */
function nameExistingCodeSoon(addon: NativeAddon): void {
  setTimeout(() => {
    try {
      addon.nameExistingCode();
    } catch {
      // an older addon without it: frames of that code stay unnamed
    }
  }, 0).unref();
}

/** The JS-stack half of the health, from what the addon reported. */
function jsStackHealth(s: AddonStatus, log: (message: string) => void): Pick<NativeCaptureStatus, 'jsStack' | 'jsStackReason'> {
  if (s.jsStack) return { jsStack: true };
  const why = s.jsStackReason || 'the native addon does not capture the JS stack';
  log(`[crashfree] native crashes will have no JS caller: ${why}.`);
  return { jsStack: false, jsStackReason: why };
}

/** The addon and its shared block, loaded on first use. */
function shared(): SharedBlock | undefined {
  capture.load ??= loadNativeAddon();
  if (!capture.load.ok) return undefined;
  if (!capture.block) {
    try {
      capture.block = new SharedBlock(capture.load.addon.sharedMemory(), capture.load.addon.layout());
    } catch {
      return undefined;
    }
  }
  return capture.block;
}

/** At most `max` UTF-8 bytes of s, never splitting a character (the core's fields are fixed-size). */
function clip(s: string, max = 127): string {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length <= max) return s;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The directory holding every run's native crash files. */
export function nativeRoot(dataDir: string): string {
  return path.join(dataDir, 'native');
}

/** Installs native crash handlers; never throws. A second call returns the first result. */
export function setupNativeCapture(ctx: NativeSetupContext): NativeCaptureStatus {
  if (capture.status?.enabled) return capture.status;
  if (ctx.unavailable !== undefined) return (capture.status = OFF(ctx.unavailable));
  try {
    const block = shared();
    if (!block || !capture.load?.ok) return (capture.status = OFF(capture.load && !capture.load.ok ? capture.load.reason : 'the native addon is unavailable'));
    const addon = capture.load.addon;
    const existing = addon.status();
    if (existing.installed) {
      // Another thread (the main one, when this is a worker) installed the
      // process-wide handlers and owns the run files and session id; this
      // thread only needs its alternate stack, which loading the addon gave it.
      const altStack = addon.threadInit();
      if (existing.jsStack) nameExistingCodeSoon(addon);
      return (capture.status = { enabled: true, mode: existing.mode, altStack, chained: existing.chained, ...jsStackHealth(existing, ctx.log) });
    }
    const handler = chooseCrashpadHandler(ctx.crashpadHandlerPath, process.env, ctx.knownHandlerPaths);
    // Said once at init, not only under debug: the user gets a weaker dump without it.
    if (handler.path === undefined) (ctx.warn ?? ctx.log)(`[crashfree] ${handler.warning}`);
    const run = createRun(nativeRoot(ctx.dataDir));
    block.setSessionId(ctx.sessionId);
    capture.ownsSession = true;
    const s = addon.install({
      recordPath: run.record,
      minidumpPath: run.minidump,
      ...(handler.path !== undefined && { handlerPath: handler.path, databaseDir: run.database }),
      release: clip(ctx.release ?? ''),
      environment: clip(ctx.environment ?? ''),
      sdk: clip(`${ctx.sdk.name}/${ctx.sdk.version}`),
      ...(ctx.handlerTimeoutMs !== undefined && { handlerTimeoutMs: ctx.handlerTimeoutMs }),
      // The JS stack keeps V8's code events on (within noise in bench/native-jsstack.mjs): CRASHFREE_NATIVE_JS_STACK=0 opts out.
      ...(process.env['CRASHFREE_NATIVE_JS_STACK'] === '0' && { jsStack: false }),
    });
    const reason = s.reason || (handler.path === undefined ? handler.warning : undefined);
    capture.status = {
      enabled: s.installed,
      mode: s.installed ? s.mode : 'off',
      ...(reason && { reason }),
      altStack: s.altStack,
      chained: s.chained,
      ...(s.mode === 'crashpad' && handler.path !== undefined && { handlerPath: handler.path }),
      ...(s.installed ? jsStackHealth(s, ctx.log) : { jsStack: false }),
    };
    if (s.installed && s.jsStack) nameExistingCodeSoon(addon);
    return capture.status;
  } catch (e) {
    return (capture.status = OFF(`native capture could not be set up (${e instanceof Error ? e.message : String(e)})`));
  }
}

/** Tells the native layer the current session id (after a new session starts). */
export function setNativeSessionId(sessionId: string | undefined): void {
  // Only the thread that installed the handlers owns the run's session id.
  if (capture.ownsSession) capture.block?.setSessionId(sessionId);
}

/**
 * Sets an annotation the signal handler copies into the crash record (and
 * the event's `crashfree_annotations` context). Returns false when native
 * capture is unavailable or all slots are used.
 */
export function setNativeAnnotation(key: string, value: string): boolean {
  return shared()?.setAnnotation(key, value) ?? false;
}

/**
 * Crash records of dead runs found under the data dir, as events for
 * recovery. Waits (bounded) for processes that are crashing right now, so
 * their crash is collected in the same pass that ends their session.
 * Crashes dropped by the storage bound are reported to `ctx.onDropped`.
 * Never throws.
 */
export async function collectNativeCrashes(ctx: NativeSetupContext): Promise<ExternalCrash[]> {
  if (ctx.unavailable !== undefined) return [];
  try {
    // A process crashing right now dies within its handler's bound (Crashpad's wait, then the in-process dump).
    await waitForCrashingRuns(nativeRoot(ctx.dataDir), (ctx.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS) + CRASH_PATH_MARGIN_MS, ctx.log);
    const { crashes, dropped } = collectFromRuns(nativeRoot(ctx.dataDir), ctx.log);
    if (dropped > 0) {
      try {
        ctx.onDropped?.(dropped);
      } catch (e) {
        ctx.log(`[crashfree] counting ${dropped} dropped native crash(es) failed: ${String(e)}`);
      }
    }
    return crashes;
  } catch (e) {
    ctx.log(`[crashfree] could not read native crashes of previous runs: ${String(e)}`);
    return [];
  }
}

/** The current native capture health (what `setupNativeCapture` returned, or off before init). */
export function getNativeCaptureStatus(): NativeCaptureStatus {
  return capture.status ?? OFF('native capture is not set up (init has not run)');
}

/**
 * Wraps a user's native addon so a crash inside one of its functions is
 * attributed to the addon and the function called from JS. Returns an
 * object with the same functions (and other properties); when the native
 * module is unavailable it returns the addon itself.
 */
export function wrapNativeAddon<T extends object>(addon: T, options?: { name?: string }): T {
  if (addon === null || (typeof addon !== 'object' && typeof addon !== 'function')) {
    throw new TypeError(`wrapNativeAddon: expected the addon object (what require() returned), got ${addon === null ? 'null' : typeof addon}.`);
  }
  if (options?.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`wrapNativeAddon: option "name" is ${typeof options.name}; expected a string.`);
  }
  const block = shared();
  return block ? wrapWithBlock(addon, addonName(addon, options?.name), block) : addon;
}

/**
 * Turning a dead run's crash record and minidump into the fatal event the
 * next launch sends: exception type from the signal, fault address,
 * mechanism, contexts, and the addon the crash is attributed to.
 */
import type { Event } from '@sentry/core';
import { createHash } from 'node:crypto';
import * as path from 'node:path';

import { attributeJsStack, toSentryFrames } from './js-frames.js';
import type { NativeCrashRecord } from './record.js';

/** What was found for one dead run. */
export interface NativeCrashFound {
  /** The run directory's name: the stable identity of this crash. */
  runName: string;
  record?: NativeCrashRecord;
  /** The minidump that will be attached, and who wrote it. */
  minidump?: { path: string; writer: 'crashpad' | 'inprocess' };
  /** When the record is missing: the minidump's modification time. */
  fallbackTimeMs: number;
}

/** Event ids derive from the run, so a resend after a lost ack dedupes. */
export function nativeEventId(runName: string): string {
  return createHash('sha256').update(`crashfree-native:${runName}`).digest('hex').slice(0, 32);
}

/** The fatal event for one native crash. */
export function buildNativeCrashEvent(found: NativeCrashFound): Event {
  const r = found.record;
  const type = r ? (r.codeName ? `${r.signalName} / ${r.codeName}` : r.signalName) : 'Native crash';
  const addon = r?.call ?? undefined;
  const where = addon ? ` in ${addon.addon}.${addon.function}()` : r?.module ? ` in ${path.basename(r.module.path)}` : '';
  const value = r ? `Fatal signal ${r.signalName} (${r.codeName || `code ${r.code}`}) at address ${r.faultAddress}${where}` : 'The process crashed (minidump only, no crash record)';
  const contexts: NonNullable<Event['contexts']> = {
    crashfree_native_crash: {
      mode: r?.mode,
      dump: found.minidump?.writer ?? r?.dump ?? 'none',
      crashpad_launch: r?.crashpad,
      thread_id: r?.tid,
      pid: r?.pid,
      fault_address: r?.faultAddress,
      instruction_address: r?.instructionAddress,
      annotations_torn: r?.annotationsTorn,
    },
  };
  // The JS stack is the crashing thread's: it names a caller only for a call made on that thread.
  const js = r ? attributeJsStack(r.jsStack, r.call !== undefined && r.call.tid === r.tid) : undefined;
  if (r?.jsStack) contexts.crashfree_native_crash!['js_stack'] = r.jsStack;
  if (addon || r?.module) {
    contexts.native_addon = {
      name: addon?.addon,
      js_function: addon?.function,
      // The crash came on another thread (no JS of its own) while this JS thread was inside the call.
      ...(addon?.tid !== undefined && addon.tid !== r?.tid && { called_on_thread: addon.tid }),
      // Read off the crashing thread's JS stack; never guessed: when absent, js_stack says why.
      ...(addon && js?.caller && { js_caller: js.caller }),
      ...(!js?.caller && js?.why && { js_stack: js.why }),
      path: r?.module?.path,
      build_id: r?.module?.buildId || undefined,
      base_address: r?.module?.base,
    };
  }
  if (r && Object.keys(r.annotations).length > 0) contexts.crashfree_annotations = { ...r.annotations };
  const event: Event = {
    event_id: nativeEventId(found.runName),
    level: 'fatal',
    platform: 'native',
    timestamp: (r?.timeMs || found.fallbackTimeMs) / 1000,
    exception: {
      values: [
        {
          type,
          value,
          ...(r && { thread_id: r.tid }),
          ...(js && js.frames.length > 0 && { stacktrace: { frames: toSentryFrames(js.frames) } }),
          mechanism: {
            type: found.minidump ? 'minidump' : 'signalhandler',
            handled: false,
            synthetic: true,
            ...(r && { meta: { signal: { number: r.signal, code: r.code, name: r.signalName, code_name: r.codeName } } }),
          },
        },
      ],
    },
    contexts,
    tags: { 'crash.native': 'true', ...(addon && { 'native.addon': addon.addon }) },
  };
  if (r?.release) event.release = r.release;
  if (r?.environment) event.environment = r.environment;
  return event;
}

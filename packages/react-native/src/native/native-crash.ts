import type { ExternalCrash } from '@crashfree/core';
import type { Event } from '@sentry/core';
import type { NativePendingCrash } from './NativeCrashfree.js';

const SIGNALS: Record<number, [string, string]> = {
  4: ['SIGILL', 'Illegal instruction'],
  5: ['SIGTRAP', 'Trace/breakpoint trap'],
  6: ['SIGABRT', 'Aborted'],
  7: ['SIGBUS', 'Bus error'],
  8: ['SIGFPE', 'Floating point exception'],
  11: ['SIGSEGV', 'Segmentation fault'],
};

/**
 * Parses a C-core crash record (native/src/core/record.c: `key=value` lines
 * such as `signal`, `signal_name`, `fault_address`, `time_ms`, `sid`,
 * `release`, `module_path`, `annotation.<key>`; later duplicates win).
 */
export function parseCrashRecord(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function base64ToBytes(text: string): Uint8Array | undefined {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/[\s=]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out.subarray(0, o);
}

/**
 * Turns a pending native crash into the ExternalCrash the core's recovery
 * sends: a fatal event with a signal-handler mechanism, the minidump as an
 * `event.minidump` attachment, and the record's session id so that session
 * ends `crashed`. Returns undefined for a record without a signal (torn or
 * foreign file), which the caller reports once and deletes.
 */
export function nativeCrashToExternal(
  crash: NativePendingCrash,
  markDelivered: (id: string) => Promise<void>,
): ExternalCrash | undefined {
  const rec = parseCrashRecord(crash.record);
  const signo = Number(rec.signal ?? rec.signo);
  if (!Number.isInteger(signo) || signo <= 0) return undefined;
  const [known, description] = SIGNALS[signo] ?? [`signal ${signo}`, 'Fatal signal'];
  const name = rec.signal_name || known;
  const address = rec.fault_address;
  const timeMs = Number(rec.time_ms ?? rec.time);
  const event: Event = {
    level: 'fatal',
    platform: 'native',
    timestamp: Number.isFinite(timeMs) && timeMs > 0 ? timeMs / 1000 : undefined,
    release: rec.release || undefined,
    environment: rec.environment || undefined,
    exception: {
      values: [
        {
          type: name,
          value: address ? `${description} at ${address}` : description,
          mechanism: { type: 'signalhandler', handled: false, synthetic: true, data: { signal: String(signo), signal_name: name } },
        },
      ],
    },
    tags: rec.module_path ? { 'native.module': rec.module_path.split('/').pop()! } : undefined,
    contexts: { native_crash: { ...rec } },
  };
  const minidump = crash.minidumpBase64 ? base64ToBytes(crash.minidumpBase64) : undefined;
  const sid = rec.sid || undefined;
  return {
    ...(sid ? { sid } : {}),
    event,
    attachments: minidump
      ? [{ filename: 'minidump.dmp', data: minidump, attachmentType: 'event.minidump', contentType: 'application/octet-stream' }]
      : undefined,
    onDelivered: () => markDelivered(crash.id),
  };
}

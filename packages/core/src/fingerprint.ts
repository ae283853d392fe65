/**
 * The fingerprint contract: what makes two error events "the same issue".
 * One definition, shared by the SDK's event policy (budget and spike guard
 * count by it) and the collector's issue grouping. It lives here, in
 * @crashfree/core; packages/release-health/src/fingerprint.ts is a
 * byte-for-byte copy for the collector (release-health imports no SDK code),
 * and `scripts/check-copies.mjs` (part of lint) fails when the two differ.
 * So this file imports nothing.
 *
 * Version 1 (`FINGERPRINT_VERSION`), in order:
 * 1. A user `fingerprint` on the event wins, as is.
 * 2. An exception: its type, then its in-app frames (`in_app !== false`; all
 *    frames when none is) from the outermost call in, each as
 *    `path:function`, consecutive repeats (recursion) once. The path is the
 *    frame's `module`, else its file name (URL in a page), less the
 *    directory every such frame shares: the app root, wherever the release
 *    is installed or served from. No line, column, message or address: moved code
 *    and ids in messages do not split an issue.
 * 3. An exception without frames: type and the message with numbers and
 *    hex ids masked (`User 123 not found` = `User 456 not found`).
 * 4. A message event: its template (`logentry.message`) or the masked message.
 * In paths and messages, digit runs and hex runs of 8+ (hashes, ids) read `#`.
 * Native crashes are grouped by the collector after stackwalking
 * (`nativeFingerprint`): the signal, then the function names of the in-app
 * frames; a dump without symbols groups by module + offset, which is
 * release-specific (marked so in the key).
 *
 * The version changes whenever a rule above changes what is grouped
 * together; keys of different versions are never compared.
 */

/** The rules' version, sent as `fingerprint_version` on every event. */
export const FINGERPRINT_VERSION = 1;

/** The parts of a stack frame the contract reads (Sentry's frame shape). */
export interface FingerprintFrame {
  function?: string;
  module?: string;
  filename?: string;
  in_app?: boolean;
}

/** The parts of an event the contract reads (Sentry's event shape). */
export interface FingerprintEvent {
  fingerprint?: string[];
  message?: unknown;
  logentry?: { message?: string };
  exception?: { values?: Array<{ type?: string; value?: string; stacktrace?: { frames?: FingerprintFrame[] } }> };
}

const mask = (s: unknown): string => String(s ?? '').replace(/[\da-f]{8,}|\d+/gi, '#');

/** The grouping key of a JS event under version 1 (see the file's doc block). */
export function fingerprintOf(event: FingerprintEvent): string {
  const values = event.exception?.values;
  const ex = values?.[values.length - 1];
  const all = ex?.stacktrace?.frames ?? [];
  const inApp = all.filter((f) => f.in_app !== false);
  const parts = (inApp.length ? inApp : all).map((f) => `${mask(f.module ?? f.filename)}:${f.function}`);
  // The directory every frame shares (the app root, wherever the release is installed), cut back to a '/'.
  let root = parts[0] ?? '';
  for (const p of parts) while (!p.startsWith(root)) root = root.slice(0, -1);
  root = root.slice(0, root.lastIndexOf('/') + 1);
  const key = [ex ? ex.type : (event.logentry?.message ?? mask(event.message)), ...parts.map((p) => p.slice(root.length)).filter((p, i, a) => p !== a[i - 1])];
  return JSON.stringify(event.fingerprint?.length ? event.fingerprint : all.length ? key : [...key, mask(ex?.value)]);
}

/** One native frame after stackwalking, as the collector's grouping reads it. */
export interface NativeFingerprintFrame {
  /** Symbolicated function name, when symbols are known. */
  function?: string;
  /** The module's file name (no directory). */
  module?: string;
  /** Offset of the instruction in its module. */
  offset?: number;
  in_app?: boolean;
}

/**
 * The grouping key of a native crash under version 1: the signal, then the
 * in-app frames (all frames when none is) innermost first, as function names
 * when every one of them is symbolicated, else as `module+0xoffset` (marked
 * release-specific: another build moves the offsets).
 */
export function nativeFingerprint(signal: string, frames: NativeFingerprintFrame[]): string {
  let inApp = frames.filter((f) => f.in_app);
  if (!inApp.length) inApp = frames;
  const symbolicated = inApp.length > 0 && inApp.every((f) => f.function);
  const key = [symbolicated ? 'native' : 'native-unsymbolicated', signal];
  for (const f of inApp) {
    const part = symbolicated ? f.function! : `${f.module ?? '?'}+0x${(f.offset ?? 0).toString(16)}`;
    if (key[key.length - 1] !== part) key.push(part);
  }
  return JSON.stringify(key);
}

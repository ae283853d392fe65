/**
 * The crash record the signal handler writes (key=value lines, see
 * native/src/core/record.c), parsed back on the next launch.
 */

/** One native crash as the handler recorded it. */
export interface NativeCrashRecord {
  signal: number;
  signalName: string;
  code: number;
  codeName: string;
  faultAddress: string;
  instructionAddress: string;
  pid: number;
  tid: number;
  timeMs: number;
  /** How the handler meant to dump: 'crashpad' or 'inprocess'. */
  mode: string;
  /** What it achieved: 'crashpad', 'inprocess', 'failed', or undefined if it never finished. */
  dump?: string;
  /** The Crashpad launch result (ok, fork_failed, handler_failed, timeout, unknown). */
  crashpad?: string;
  release?: string;
  environment?: string;
  sdk?: string;
  sid?: string;
  annotationsTorn: boolean;
  /**
   * The wrapped addon call in progress: on the crashing thread itself, or, for
   * a crash on a thread without JS (libuv pool, threads an addon made), the one
   * call in progress on a JS thread; `tid` is the thread that made the call.
   */
  call?: { addon: string; function: string; tid?: number };
  /**
   * The crashing thread's JS stack as V8 named its code, innermost first
   * ("JS:~beta file:///app.mjs:8:14"), and the handler's status for it ("ok",
   * "not_js_thread", ...). Absent status: the handler never got that far.
   */
  jsStack?: { status: string; frames: string[]; vmState?: string };
  module?: { path: string; base: string; buildId: string };
  annotations: Record<string, string>;
}

/** Parses a record; undefined when the text is not one (a corrupt or foreign file). */
export function parseCrashRecord(text: string): NativeCrashRecord | undefined {
  const fields = new Map<string, string>();
  const annotations: Record<string, string> = {};
  const frames: string[] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.startsWith('annotation.')) annotations[key.slice('annotation.'.length)] = value;
    else if (/^js_frame\.\d{1,2}$/.test(key)) frames[Number(key.slice('js_frame.'.length))] = value;
    else fields.set(key, value);
  }
  const signal = Number(fields.get('signal'));
  if (fields.get('crashfree_record') !== '1' || !Number.isInteger(signal) || signal <= 0) return undefined;
  const opt = (k: string): string | undefined => (fields.get(k) ? fields.get(k) : undefined);
  const callAddon = opt('call_addon');
  const modulePath = opt('module_path');
  const jsStatus = opt('js_stack');
  return {
    signal,
    signalName: fields.get('signal_name') ?? `signal ${signal}`,
    code: Number(fields.get('code') ?? 0),
    codeName: fields.get('code_name') ?? '',
    faultAddress: fields.get('fault_address') ?? '0x0',
    instructionAddress: fields.get('instruction_address') ?? '0x0',
    pid: Number(fields.get('pid') ?? 0),
    tid: Number(fields.get('tid') ?? 0),
    timeMs: Number(fields.get('time_ms') ?? 0),
    mode: fields.get('mode') ?? 'inprocess',
    dump: opt('dump'),
    crashpad: opt('crashpad'),
    release: opt('release'),
    environment: opt('environment'),
    sdk: opt('sdk'),
    sid: opt('sid'),
    annotationsTorn: fields.get('annotations_torn') === '1',
    ...(callAddon !== undefined && {
      call: { addon: callAddon, function: fields.get('call_function') ?? '', ...(Number(fields.get('call_tid')) > 0 && { tid: Number(fields.get('call_tid')) }) },
    }),
    ...(jsStatus !== undefined && {
      jsStack: { status: jsStatus, frames: frames.filter((f) => f !== undefined), ...(opt('js_vm_state') !== undefined && { vmState: opt('js_vm_state') }) },
    }),
    ...(modulePath !== undefined && {
      module: { path: modulePath, base: fields.get('module_base') ?? '0x0', buildId: fields.get('module_build_id') ?? '' },
    }),
    annotations,
  };
}

/**
 * The crashing thread's JS stack, as the signal handler recorded it (V8's
 * code names, innermost first), turned into the JS caller of the crashing
 * addon call and into Sentry stack frames.
 *
 * V8 names code "<Type>:<tier><function> <script>:<line>:<column>", e.g.
 * "JS:~beta file:///app/x.mjs:8:14" (tier: ~ interpreted, ^ Sparkplug,
 * + Maglev, * TurboFan); line:column is where the function is defined; the
 * name carries no call-site position.
 */
import type { StackFrame } from '@sentry/core';

import { WRAPPER_NAME } from './wrap.js';

/** One named JS frame. */
export interface JsFrame {
  /** '' for top-level script code and anonymous functions. */
  function: string;
  file: string;
  /** Where the function is defined (1-based), not the line of the call; absent for top-level code. */
  line?: number;
  column?: number;
}

/** The JS code that called the crashing addon function. */
export interface JsCaller extends JsFrame {
  /** Read off the crashing thread's stack at crash time. */
  how: 'crash-stack';
}

/** Top-level script code has no line:column ("Script:~ file:///app/x.mjs"). */
const CODE_NAME = /^(JS|Script):[~^+*]?(.*?)(?::(\d+):(\d+))?$/;
/** Where the script part starts: a URL scheme V8/Node uses or an absolute path. */
const SCRIPT_START = / (?=(?:file|node|https?|data|blob|evalmachine\.<anonymous>|wasm):|\/|[A-Za-z]:\\|\[)/;

/** Parses one code name; undefined for builtins, stubs and unnamed addresses ("? 0x..."). */
export function parseCodeName(name: string): JsFrame | undefined {
  const m = CODE_NAME.exec(name);
  if (!m) return undefined;
  const rest = m[2]!;
  let at = rest.search(SCRIPT_START);
  if (at < 0) at = rest.lastIndexOf(' ');
  const fn = m[1] === 'Script' || at < 0 ? '' : rest.slice(0, at);
  const file = at < 0 ? rest : rest.slice(at + 1);
  if (!file) return undefined;
  return { function: fn, file, ...(m[3] !== undefined && { line: Number(m[3]), column: Number(m[4]) }) };
}

/** Why a crash has no JS caller, in one phrase, by the handler's status token. */
const NO_CALLER: Record<string, string> = {
  not_js_thread: 'not a JS thread',
  not_registered: 'not a JS thread, or one of more JS threads than the JS stack tracks (64)',
  no_js_frames: 'no JS on the crashing thread',
  in_gc: 'the crash came during garbage collection',
  code_map_busy: 'V8 was naming new code when the crash came',
  unavailable: 'the JS stack is not captured in this build (see getNativeCaptureStatus().jsStackReason)',
};

/** What the event says about the JS side of a native crash. */
export interface JsAttribution {
  caller?: JsCaller;
  /** Set when there is no caller: why. */
  why?: string;
  /** Named frames, innermost first (the wrapper excluded). */
  frames: JsFrame[];
}

/**
 * The caller is the first JS frame below the wrapNativeAddon wrapper: the
 * wrapper's own frame is ours and says nothing. When the optimising compiler
 * inlined the wrapper into a hot caller there is no wrapper frame (V8 walks
 * physical frames); then, while a wrapped call is marked, the innermost JS
 * frame is the one that called into the addon. (V8 11's VM state does not
 * tell: optimised code calls native functions without setting "external".)
 * Without a marked call there is no caller, and `why` says so.
 */
export function attributeJsStack(stack: { status: string; frames: string[]; vmState?: string } | undefined, inWrappedCall: boolean): JsAttribution {
  if (!stack) return { why: 'the crash handler did not finish reading the JS stack', frames: [] };
  const all = stack.frames.map(parseCodeName);
  const frames = all.filter((f): f is JsFrame => f !== undefined && f.function !== WRAPPER_NAME);
  if (stack.status !== 'ok' && stack.status !== 'code_map_busy') return { why: NO_CALLER[stack.status] ?? `no JS stack (${stack.status})`, frames };
  const wrapper = all.findIndex((f) => f?.function === WRAPPER_NAME);
  const inlined = wrapper < 0 && inWrappedCall && stack.frames.length > 0;
  if (wrapper < 0 && !inlined) {
    return { why: stack.status === 'code_map_busy' ? NO_CALLER['code_map_busy']! : 'the crash was not inside a wrapped addon call', frames };
  }
  const next = all[wrapper + 1];
  if (!next) return { why: stack.status === 'code_map_busy' ? NO_CALLER['code_map_busy']! : 'the code that called the wrapped function was not named', frames };
  return { caller: { ...next, how: 'crash-stack' }, frames };
}

/** Sentry frames, oldest first (the protocol's order). */
export function toSentryFrames(frames: JsFrame[]): StackFrame[] {
  return frames
    .map((f) => ({
      ...(f.function && { function: f.function }),
      filename: f.file,
      abs_path: f.file,
      ...(f.line !== undefined && { lineno: f.line, colno: f.column }),
      in_app: !f.file.startsWith('node:') && !f.file.includes('/node_modules/'),
    }))
    .reverse();
}

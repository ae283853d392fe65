import type { StackFrame, StackParser } from '@sentry/core';

/** Sentry's stack frame limit: the newest 50 frames are kept. */
const MAX_FRAMES = 50;

function frame(filename: string, func: string | undefined, lineno?: string, colno?: string): StackFrame {
  const f: StackFrame = { filename, function: func || '?', in_app: true };
  if (lineno !== undefined) f.lineno = Number(lineno);
  if (colno !== undefined) f.colno = Number(colno);
  return f;
}

// V8: "    at fn (url:1:2)", "    at url:1:2", "    at async fn (url:1:2)",
// "    at fn (eval at g (url:1:2), <anonymous>:3:4)".
const V8_WITH_FN = /^\s*at (?:async )?(.+?) \((.+?)(?::(\d+))?(?::(\d+))?\)\s*$/;
const V8_BARE = /^\s*at (?:async )?(.+?)(?::(\d+))?(?::(\d+))?\s*$/;
const V8_EVAL_LOCATION = /\(?(\S+?):(\d+):(\d+)\)?,/;
// SpiderMonkey / JavaScriptCore: "fn@url:1:2", "@url:1:2", "fn/<@url:1:2", "global code@url:1:2".
const GECKO = /^\s*([^@]*)@(\S+?)(?::(\d+))?(?::(\d+))?\s*$/;

/** One stack line as a frame, or undefined when it is not a frame line. */
function parseLine(line: string): StackFrame | undefined {
  const withFn = V8_WITH_FN.exec(line);
  if (withFn) {
    let [, func, file = '', lineno, colno] = withFn;
    if (file.startsWith('eval')) {
      // Report where eval was called from: that is code the user can open.
      const outer = V8_EVAL_LOCATION.exec(file);
      if (outer) [, file = '', lineno, colno] = outer;
    }
    return frame(file, func, lineno, colno);
  }
  const bare = V8_BARE.exec(line);
  if (bare) return frame(bare[1] ?? '', undefined, bare[2], bare[3]);
  const gecko = GECKO.exec(line);
  return gecko?.[2] ? frame(gecko[2], gecko[1], gecko[3], gecko[4]) : undefined;
}

/**
 * Parses Chrome/Edge (V8), Firefox and Safari `error.stack` strings into
 * Sentry frames, oldest first (Sentry's order), at most the newest 50. The
 * message line (`TypeError: ...`) and other non-frame lines are skipped.
 */
export function browserStackParser(): StackParser {
  return (stack, skipFirstLines = 0) => {
    const frames: StackFrame[] = [];
    for (const raw of stack.split('\n').slice(skipFirstLines)) {
      const line = raw.slice(0, 1024);
      if (line.includes('Error: ')) continue;
      const f = parseLine(line);
      if (f) frames.push(f);
      if (frames.length >= MAX_FRAMES) break;
    }
    return frames.reverse();
  };
}

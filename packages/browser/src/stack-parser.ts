import type { StackFrame, StackParser } from '@sentry/core';

// One frame line: V8 ("    at fn (url:1:2)", "    at url:1:2", "    at async fn (url:1:2)",
// "    at fn (eval at g (url:1:2), <anonymous>:3:4)") or SpiderMonkey / JavaScriptCore
// ("fn@url:1:2", "@url:1:2", "fn/<@url:1:2", "global code@url:1:2"); then location, line, column.
const FRAME = /^\s*(?:at (?:async )?(?:(.+?) \()?|([^@]*)@)(.+?)(?::(\d+))?(?::(\d+))?\)?\s*$/;
// Inside a V8 eval location: where eval was called from.
const EVAL_CALLER = /\(?(\S+?):(\d+):(\d+)\)?,/;

/** One stack line as a frame, or undefined when it is not a frame line. */
function parseLine(line: string): StackFrame | undefined {
  const m = FRAME.exec(line);
  if (!m) return undefined;
  // For code run by eval, report where eval was called from: that is code the user can open.
  const [, file, lineno, colno] = (m[3]!.startsWith('eval') && EVAL_CALLER.exec(m[3]!)) || [, m[3], m[4], m[5]];
  return { filename: file, function: m[1] || m[2] || '?', in_app: true, lineno: lineno ? +lineno : undefined, colno: colno ? +colno : undefined };
}

/**
 * Parses Chrome/Edge (V8), Firefox and Safari `error.stack` strings into
 * Sentry frames, oldest first (Sentry's order), at most the newest 50. The
 * message line (`TypeError: ...`) and other non-frame lines are skipped.
 */
export function browserStackParser(): StackParser {
  return (stack, skipFirstLines = 0) =>
    stack
      .split('\n')
      .slice(skipFirstLines)
      .filter((line) => !line.includes('Error: '))
      .map((line) => parseLine(line.slice(0, 1024)))
      .filter((f): f is StackFrame => f !== undefined)
      .slice(0, 50)
      .reverse();
}

import { createStackParser, UNKNOWN_FUNCTION, type StackFrame, type StackLineParser, type StackParser } from '@sentry/core';

function frame(filename: string, func: string | undefined, lineno?: string, colno?: string): StackFrame {
  const f: StackFrame = { filename, function: func || UNKNOWN_FUNCTION, in_app: true };
  if (lineno !== undefined) f.lineno = Number(lineno);
  if (colno !== undefined) f.colno = Number(colno);
  return f;
}

// V8: "    at fn (url:1:2)", "    at url:1:2", "    at async fn (url:1:2)",
// "    at fn (eval at g (url:1:2), <anonymous>:3:4)".
const V8_WITH_FN = /^\s*at (?:async )?(.+?) \((.+?)(?::(\d+))?(?::(\d+))?\)\s*$/;
const V8_BARE = /^\s*at (?:async )?(.+?)(?::(\d+))?(?::(\d+))?\s*$/;
const V8_EVAL_LOCATION = /\(?(\S+?):(\d+):(\d+)\)?,/;

const v8Line: StackLineParser = [
  30,
  (line) => {
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
    return bare ? frame(bare[1] ?? '', undefined, bare[2], bare[3]) : undefined;
  },
];

// SpiderMonkey / JavaScriptCore: "fn@url:1:2", "@url:1:2", "fn/<@url:1:2", "global code@url:1:2".
const GECKO = /^\s*([^@]*)@(\S+?)(?::(\d+))?(?::(\d+))?\s*$/;

const geckoLine: StackLineParser = [
  50,
  (line) => {
    const m = GECKO.exec(line);
    if (!m || !m[2]) return undefined;
    const [, func, file = '', lineno, colno] = m;
    return frame(file, func, lineno, colno);
  },
];

/** Parses Chrome/Edge (V8), Firefox and Safari `error.stack` strings into Sentry frames. */
export function browserStackParser(): StackParser {
  return createStackParser(geckoLine, v8Line);
}

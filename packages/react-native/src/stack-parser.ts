import { createStackParser, UNKNOWN_FUNCTION, type StackFrame, type StackLineParser, type StackParser } from '@sentry/core';

// Hermes and JSC/V8 print frames as `at fn (file:line:col)`; Hermes adds
// `address at file:line:col` for bytecode bundles and `(native)` for builtins.
const AT_FRAME = /^\s*at (?:(.+?) \()?(?:address at )?(.+?):(\d+):(\d+)\)?\s*$/;
const NATIVE_FRAME = /^\s*at (.+?) \(native\)\s*$/;
// JSC (and RN's legacy `Error.stack` format): `fn@file:line:col`.
const AT_SIGN_FRAME = /^\s*(?:(.*?)@)?(.+?):(\d+):(\d+)\s*$/;

function frame(fn: string | undefined, filename: string, line: string, col: string): StackFrame {
  return {
    function: fn && fn !== 'anonymous' ? fn : UNKNOWN_FUNCTION,
    filename,
    lineno: Number(line),
    colno: Number(col),
    // Everything a Metro bundle runs is the app's code; node_modules paths
    // survive only in dev bundles.
    in_app: !filename.includes('/node_modules/'),
  };
}

/** Parses one Hermes/V8 stack line (`at fn (file:line:col)`). */
export const hermesStackLineParser: StackLineParser = [
  30,
  (line) => {
    if (NATIVE_FRAME.test(line)) return undefined;
    const m = AT_FRAME.exec(line);
    return m ? frame(m[1], m[2]!, m[3]!, m[4]!) : undefined;
  },
];

/** Parses one JSC stack line (`fn@file:line:col`). */
export const jscStackLineParser: StackLineParser = [
  20,
  (line) => {
    const m = AT_SIGN_FRAME.exec(line);
    return m ? frame(m[1], m[2]!, m[3]!, m[4]!) : undefined;
  },
];

/** The stack parser of the React Native SDK: Hermes first, then JSC. */
export function makeReactNativeStackParser(): StackParser {
  return createStackParser(hermesStackLineParser, jscStackLineParser);
}

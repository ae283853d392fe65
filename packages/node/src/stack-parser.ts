/**
 * V8 stack lines as Node prints them, parsed into Sentry frames. @sentry/core
 * 11 ships `createStackParser` but no Node line parser (that lives in
 * @sentry/node), so the one line parser the Node SDK needs is here.
 */
import { createStackParser, type StackFrame, type StackLineParser, type StackParser } from '@sentry/core';
import { fileURLToPath } from 'node:url';

// `at [async ][new ]fn (location)` or `at location`, where location is
// `file:line:col`, `native`, `<anonymous>` or an `eval at ...` chain.
const WITH_FN = /^\s*at (?:async )?(.+?) \((.*)\)$/;
const BARE = /^\s*at (?:async )?(.+)$/;
const LOCATION = /^(.*?):(\d+):(\d+)$/;
const EVAL_ORIGIN = /^eval at .*?, (.*)$/;

/** Whether a frame belongs to the app rather than Node itself or node_modules. */
export function isInApp(filename: string | undefined): boolean {
  if (!filename) return false;
  if (filename.startsWith('node:') || filename.startsWith('internal/')) return false;
  if (filename.includes('/node_modules/') || filename.includes('\\node_modules\\')) return false;
  return filename.startsWith('/') || /^[A-Za-z]:[\\/]/.test(filename);
}

function toPath(location: string): string {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location);
    } catch {
      return location;
    }
  }
  return location;
}

/** Parses one Node stack line; undefined for lines that are not frames (the message, `...`). */
export function parseNodeStackLine(line: string): StackFrame | undefined {
  let fn: string | undefined;
  let location: string;
  const withFn = WITH_FN.exec(line);
  if (withFn) {
    fn = withFn[1];
    location = withFn[2] ?? '';
  } else {
    const bare = BARE.exec(line);
    if (!bare) return undefined;
    location = bare[1] ?? '';
  }
  const evalOrigin = EVAL_ORIGIN.exec(location);
  if (evalOrigin) location = evalOrigin[1] ?? location;

  const parts = LOCATION.exec(location);
  const filename = parts ? toPath(parts[1] ?? '') : location === 'native' || location === '<anonymous>' ? undefined : toPath(location);
  const frame: StackFrame = {
    function: fn ? fn.replace(/^new /, '') : '?',
    in_app: isInApp(filename),
  };
  if (filename) {
    frame.filename = filename;
    frame.abs_path = filename;
    frame.module = moduleName(filename);
  }
  if (parts) {
    frame.lineno = Number(parts[2]);
    frame.colno = Number(parts[3]);
  }
  return frame;
}

/** `pkg/path/file` for node_modules frames, the file's base name otherwise: what groups frames across machines. */
function moduleName(filename: string): string | undefined {
  if (filename.startsWith('node:')) return filename.slice(5);
  const nm = filename.lastIndexOf('/node_modules/');
  const tail = nm >= 0 ? filename.slice(nm + '/node_modules/'.length) : filename.slice(filename.lastIndexOf('/') + 1);
  return tail.replace(/\.[cm]?[jt]s$/, '') || undefined;
}

const nodeLineParser: StackLineParser = [90, parseNodeStackLine];

/** The Node stack parser: frames oldest-first, as Sentry expects. */
export function createNodeStackParser(): StackParser {
  return createStackParser(nodeLineParser);
}

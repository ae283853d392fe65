/**
 * wrapNativeAddon: the same functions, each call storing "which addon
 * function was entered" into the shared block with one Int32Array store (and
 * restoring the previous marker on return), so a crash inside is attributed
 * to the addon and the JS-visible function. No Proxy: a closure per function
 * keeps the per-call cost at a couple of stores.
 *
 * The JS caller is attributed approximately, to stay within that cost: a
 * stack capture (microseconds) on every call is far too dear, and even a
 * per-call sampling counter (a load and a store) measured a few percent, so
 * each wrapped function records its caller on its first call only (one
 * boolean load per call after that); the event labels it `how: 'first-call'`.
 */
import * as path from 'node:path';

import { nodeRequire } from './load.js';
import type { JsCaller, SharedBlock } from './shared-block.js';

type AnyFunction = (...args: unknown[]) => unknown;

/** "    at name (file:line:col)" or "    at file:line:col" (V8's stack line format). */
const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/;

/** The code that called `wrapper` (its first frame above it), or undefined. Never throws. */
export function callerOf(wrapper: AnyFunction, how: JsCaller['how']): JsCaller | undefined {
  try {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    try {
      Error.captureStackTrace(holder, wrapper);
    } finally {
      Error.stackTraceLimit = limit;
    }
    const m = FRAME.exec(holder.stack?.split('\n')[1] ?? '');
    return m ? { function: m[1] ?? '', file: m[2]!, line: Number(m[3]), how } : undefined;
  } catch {
    return undefined;
  }
}

function wrapOne(fn: AnyFunction, block: SharedBlock, index: number, id: number): AnyFunction {
  const marker = block.words;
  let captured = false;
  // Arity-specialised calls: rest parameters + apply() cost ~15% of a native
  // call, and the native side must still see the exact argument count.
  const wrapped = function (this: unknown): unknown {
    if (!captured) {
      captured = true;
      const caller = callerOf(wrapped, 'first-call');
      if (caller) block.setCaller(id, caller);
    }
    const previous = marker[index]!;
    marker[index] = id;
    try {
      switch (arguments.length) {
        case 0:
          return fn.call(this);
        case 1:
          return fn.call(this, arguments[0]);
        case 2:
          return fn.call(this, arguments[0], arguments[1]);
        case 3:
          return fn.call(this, arguments[0], arguments[1], arguments[2]);
        default:
          return Reflect.apply(fn, this, arguments);
      }
    } finally {
      marker[index] = previous;
    }
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  Object.defineProperty(wrapped, 'length', { value: fn.length });
  return wrapped;
}

/** The name an addon is reported under: the option, else its .node file's name. */
export function addonName(addon: object, option: string | undefined): string {
  if (option) return option;
  try {
    const cache = nodeRequire().cache;
    for (const id of Object.keys(cache)) {
      if (cache[id]?.exports === addon) return path.basename(id).replace(/\.node$/, '');
    }
  } catch {
    // no module cache (unusual loader): fall through
  }
  return 'addon';
}

/** Wraps every own function property; other properties are copied as they are. */
export function wrapWithBlock<T extends object>(addon: T, name: string, block: SharedBlock): T {
  const out = Object.create(Object.getPrototypeOf(addon) as object | null) as Record<string, unknown>;
  const index = block.layout.callIndex;
  for (const key of Object.getOwnPropertyNames(addon)) {
    const desc = Object.getOwnPropertyDescriptor(addon, key)!;
    if ('value' in desc && typeof desc.value === 'function') {
      const id = block.registerCall(name, key);
      desc.value = id > 0 ? wrapOne(desc.value as AnyFunction, block, index, id) : desc.value;
    }
    Object.defineProperty(out, key, desc);
  }
  return out as T;
}

/**
 * wrapNativeAddon: the same functions, each call storing "which addon
 * function was entered" into the shared block with one Int32Array store (and
 * restoring the previous marker on return), so a crash inside is attributed
 * to the addon and the JS-visible function. No Proxy: a closure per function
 * keeps the per-call cost at those two stores.
 *
 * The JS caller costs nothing per call: the signal handler walks the
 * crashing thread's JS stack at crash time (native/src/node/js_stack.h) and
 * the next launch names the first frame below this wrapper (WRAPPER_NAME).
 */
import * as path from 'node:path';

import { nodeRequire } from './load.js';
import type { SharedBlock } from './shared-block.js';

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The wrapper closure's source name, as V8 names its code at crash time
 * ("JS:~crashfreeNativeCall file:///.../wrap.js:40:20"): the next launch skips
 * that frame to find the user's code. Keep it in step with the function below.
 */
export const WRAPPER_NAME = 'crashfreeNativeCall';

function wrapOne(fn: AnyFunction, marker: Int32Array, index: number, id: number): AnyFunction {
  // Arity-specialised calls: rest parameters + apply() cost ~15% of a native
  // call, and the native side must still see the exact argument count.
  const crashfreeNativeCall = function (this: unknown): unknown {
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
  Object.defineProperty(crashfreeNativeCall, 'name', { value: fn.name });
  Object.defineProperty(crashfreeNativeCall, 'length', { value: fn.length });
  return crashfreeNativeCall;
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
      desc.value = id > 0 ? wrapOne(desc.value as AnyFunction, block.words, index, id) : desc.value;
    }
    Object.defineProperty(out, key, desc);
  }
  return out as T;
}

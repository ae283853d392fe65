/**
 * Loading @crashfree/native, an optional dependency: a missing package, a
 * failed build or an addon that cannot load all become one sentence of
 * reason, never an exception.
 */
import { createRequire } from 'node:module';

/** Health of the C core's handlers, as the addon reports it. */
export interface AddonStatus {
  installed: boolean;
  mode: 'crashpad' | 'inprocess' | 'off';
  altStack: boolean;
  chained: boolean;
  reason: string;
}

/** Byte layout of the memory shared between JS and the signal handler. */
export interface SharedLayout {
  size: number;
  seqIndex: number;
  callIndex: number;
  callNextIndex: number;
  sidOffset: number;
  sidSize: number;
  annotationOffset: number;
  annotationCount: number;
  annotationKeySize: number;
  annotationValueSize: number;
  callOffset: number;
  callCount: number;
  callSize: number;
  callerOffset: number;
  callerSize: number;
}

/** The addon's functions (see @crashfree/native's lib/index.d.ts). */
export interface NativeAddon {
  install(options: {
    recordPath: string;
    minidumpPath: string;
    handlerPath?: string;
    databaseDir?: string;
    release?: string;
    environment?: string;
    sdk?: string;
    handlerTimeoutMs?: number;
  }): AddonStatus;
  status(): AddonStatus;
  sharedMemory(): ArrayBuffer;
  layout(): SharedLayout;
  threadInit(): boolean;
}

/** The addon, or why it is unavailable. */
export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** A require() that works in both builds and under vitest. */
export function nodeRequire(): NodeRequire {
  // Based on this file in every build: CJS has __filename; ESM has
  // import.meta (esbuild's ESM output shims a require that only throws).
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
}

/** Loads the addon through @crashfree/native's own loader. Never throws. */
export function loadNativeAddon(): AddonLoad {
  let pkg: { load?: () => AddonLoad };
  try {
    pkg = nodeRequire()('@crashfree/native') as { load?: () => AddonLoad };
  } catch {
    return { ok: false, reason: 'the optional package @crashfree/native is not installed' };
  }
  try {
    const r = typeof pkg.load === 'function' ? pkg.load() : { ok: false as const, reason: '@crashfree/native has no load()' };
    return r;
  } catch (e) {
    return { ok: false, reason: `@crashfree/native failed to load (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * Loading @crashfree/native, an optional dependency: a missing package, a
 * failed build or an addon that cannot load all become one sentence of
 * reason, never an exception.
 */
import { createRequire } from 'node:module';

// Type-only: erased from the build, so @crashfree/native stays optional at run time
// while its declarations (lib/index.d.ts) remain the one description of the addon.
import type { LoadResult, NativeAddon, NativeLayout, NativeStatus } from '@crashfree/native';

/** Health of the C core's handlers, as the addon reports it. */
export type AddonStatus = NativeStatus;
/** Byte layout of the memory shared between JS and the signal handler. */
export type SharedLayout = NativeLayout;
export type { NativeAddon };
/** The addon, or why it is unavailable. */
export type AddonLoad = LoadResult;

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

/*
 * The example app as a release build would bundle it: Metro with RN's config
 * and babel preset against the real react-native package (not the Hermes
 * host), for Android.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper shared with bench/rn-*.mjs
import { bundle, exampleRoot } from './hermes/bundle.mjs';

describe('Metro release bundle of examples/react-native', () => {
  it('bundles with the real react-native, resolves AsyncStorage as the default store and ships the tree-shaken SDK build', async () => {
    const built = (await bundle({ entry: path.join(exampleRoot, 'index.js') })) as { code: string; map: string };
    const sources = (JSON.parse(built.map) as { sources: string[] }).sources;
    const has = (fragment: string) => sources.some((s) => s.includes(fragment));
    expect(has('examples/react-native/src/App.js')).toBe(true);
    expect(has('react-native/Libraries/AppState/AppState.js')).toBe(true);
    // The optional require in the SDK resolved to the installed package.
    expect(has('@react-native-async-storage/async-storage/')).toBe(true);
    // Metro got the single tree-shaken file, not @sentry/core's and @crashfree/core's module graphs.
    expect(has('packages/react-native/dist/react-native/index.cjs')).toBe(true);
    expect(sources.filter((s) => s.includes('/@sentry/'))).toEqual([]);
    expect(built.code).toContain('crashfree.javascript.react-native');
  }, 240_000);
});

#!/usr/bin/env node
// The build Metro picks (the `react-native` export condition): one CommonJS
// file with @crashfree/core and @sentry/core bundled in and tree-shaken.
// Metro does not tree-shake, so pointing it at the packages' own builds would
// ship all of @sentry/core (and its 0.5 MB of semantic-convention constants)
// into every app. CommonJS keeps the optional `require` of AsyncStorage
// literal, so Metro still sees it as an optional dependency. react-native and
// the storage packages stay external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/react-native/index.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  // Metro's babel preset down-levels further for the app's engine.
  target: 'es2019',
  mainFields: ['module', 'main'],
  conditions: ['source', 'import'],
  external: ['react-native', '@react-native-async-storage/async-storage', 'react-native-mmkv'],
  sourcemap: 'external', // not linked, not shipped: see scripts/build-package.mjs
  logLevel: 'warning',
  define: { __CRASHFREE_VERSION__: JSON.stringify(pkg.version) },
});

#!/usr/bin/env node
// Builds dist/crashfree.iife.min.js: the whole SDK (dependencies bundled),
// minified, exposing the global `Crashfree` for a plain <script> tag. Runs
// after the package's normal build (it resolves @crashfree/core to its built
// dist, like any consumer would).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/crashfree.iife.min.js',
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'Crashfree',
  platform: 'browser',
  target: 'es2020',
  sourcemap: 'external', // not linked, not shipped: see scripts/build-package.mjs
  legalComments: 'none',
  logLevel: 'warning',
  define: { __CRASHFREE_VERSION__: JSON.stringify(pkg.version) },
});

#!/usr/bin/env node
// Builds @crashfree/node like scripts/build-package.mjs (ESM + CJS bundles,
// .d.ts by tsc), with one difference: @sentry/core and @crashfree/core are
// bundled in, tree-shaken, instead of left external. Requiring @sentry/core's
// module tree costs ~200 ms and ~20 MiB at startup; the bundled, shaken copy
// ~25 ms and ~6 MiB, which is what keeps `init` within its startup budget.
// Scopes still work across copies: @sentry/core keeps them on a global carrier
// keyed by its version. @crashfree/native stays external (optional, native).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { writeCjsTypes } from '../../../scripts/dual-types.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync('dist', { recursive: true, force: true });

const common = {
  // doctor-cli.ts: the `crashfree` bin (`npx crashfree doctor`).
  entryPoints: ['src/index.ts', 'src/doctor-cli.ts'],
  bundle: true,
  external: ['@crashfree/native'],
  platform: 'node',
  target: 'node20',
  sourcemap: 'external', // not linked, not shipped: see scripts/build-package.mjs
  logLevel: 'warning',
  define: { __CRASHFREE_VERSION__: JSON.stringify(pkg.version) },
};
for (const format of ['esm', 'cjs']) {
  await build({
    ...common,
    format,
    outdir: `dist/${format}`,
    outExtension: { '.js': format === 'cjs' ? '.cjs' : '.js' },
    // src/native/load.ts guards import.meta.url behind __filename for CJS.
    logOverride: format === 'cjs' ? { 'empty-import-meta': 'silent' } : {},
    // Bundled CommonJS code inside the ESM output may call require() for built-ins.
    ...(format === 'esm' && {
      banner: { js: "import { createRequire as __cfCreateRequire } from 'node:module'; const require = __cfCreateRequire(import.meta.url);" },
    }),
  });
}
const require = createRequire(import.meta.url);
const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--emitDeclarationOnly', '--declarationMap', 'false', '--outDir', 'dist/types'], { stdio: 'inherit' });
writeCjsTypes('dist/types');

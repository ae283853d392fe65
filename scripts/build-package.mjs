#!/usr/bin/env node
// Builds one workspace package from its directory: esbuild bundles each entry
// (dependencies stay external) to ESM and/or CJS, then tsc writes the .d.ts
// files. Usage (from a package's "build" script):
//   node ../../scripts/build-package.mjs [--entry src/x.ts]... [--platform node|browser|neutral]
//                                         [--formats esm,cjs] [--no-types]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { writeCjsTypes } from './dual-types.mjs';

const args = process.argv.slice(2);
const entries = [];
let platform = 'node';
let formats = ['esm', 'cjs'];
let types = true;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--entry') entries.push(args[++i]);
  else if (a === '--platform') platform = args[++i];
  else if (a === '--formats') formats = args[++i].split(',');
  else if (a === '--no-types') types = false;
  else {
    console.error(`build-package: unknown argument ${a}`);
    process.exit(2);
  }
}
if (entries.length === 0) entries.push('src/index.ts');

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync('dist', { recursive: true, force: true });

const common = {
  entryPoints: entries,
  bundle: true,
  packages: 'external',
  platform,
  target: platform === 'browser' ? 'es2020' : 'node20',
  // Maps stay next to the files for local debugging but are not linked or
  // shipped (package.json "files" leaves them out): the bundles are not
  // minified, and a map of them would mostly carry this machine's layout.
  sourcemap: 'external',
  logLevel: 'warning',
  define: { __CRASHFREE_VERSION__: JSON.stringify(pkg.version) },
};
for (const format of formats) {
  await build({
    ...common,
    format,
    outdir: `dist/${format}`,
    outExtension: { '.js': format === 'cjs' ? '.cjs' : '.js' },
    // ESM sources use import.meta.url for createRequire; in the CJS build
    // esbuild leaves it empty and warns, but those call sites guard for it.
    logOverride: format === 'cjs' ? { 'empty-import-meta': 'silent' } : {},
  });
}
if (types) {
  const require = createRequire(import.meta.url);
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--emitDeclarationOnly', '--declarationMap', 'false', '--outDir', 'dist/types'], {
    stdio: 'inherit',
  });
  if (formats.includes('cjs')) writeCjsTypes('dist/types');
}

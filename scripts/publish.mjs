#!/usr/bin/env node
// The one way to publish: builds the prebuilt binaries and packs every
// package (scripts/pack.mjs, which fails on a tarball with a `workspace:`
// range, a missing export target or a source map), then `npm publish`es the
// tarballs, dependencies first. Extra arguments go to npm publish
// (e.g. --dry-run, --tag next, --otp 123456).
//   node scripts/publish.mjs [npm publish arguments...]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build', 'publish');
const packed = JSON.parse(execFileSync(process.execPath, [path.join(root, 'scripts', 'pack.mjs'), '--out', out, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
for (const { name, file } of packed) {
  process.stderr.write(`publish: ${name} (${path.basename(file)})\n`);
  execFileSync('npm', ['publish', file, '--access', 'public', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, CRASHFREE_PUBLISH: '1' } });
}

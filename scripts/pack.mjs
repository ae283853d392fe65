#!/usr/bin/env node
// Packs every published package the way it is published: the prebuilt
// native binaries first (native/scripts/prebuild.js), then `pnpm pack` in
// each package directory, which runs its prepack/postpack scripts and
// replaces `workspace:*` with the real versions in the packed package.json.
// Each tarball is checked: no `workspace:` range, no source map, nothing
// under src/ that `exports` would need. Run after a build.
//   node scripts/pack.mjs [--out DIR] [--targets linux-x64,linux-arm64] [--reuse-prebuilds] [--json]
// (--reuse-prebuilds keeps native/prebuilds/<target> when all are there: for iterating, not releases)
// Prints one line per tarball (name, file, size), or a JSON array with --json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Every package that is published, dependencies first. */
export const PACKAGES = ['packages/core', 'packages/release-health', 'packages/collector', 'packages/browser', 'packages/node', 'packages/react-native', 'native'];

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** The packed package.json of a tarball, read with tar (no extraction). */
function packedManifest(tgz) {
  return JSON.parse(execFileSync('tar', ['-xOzf', tgz, 'package/package.json'], { encoding: 'utf8' }));
}

function packedFiles(tgz) {
  return execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8', maxBuffer: 16 << 20 }).split('\n').filter(Boolean);
}

/** Problems a user of the tarball would hit; empty when none. */
export function checkTarball(tgz) {
  const problems = [];
  const pkg = packedManifest(tgz);
  const files = new Set(packedFiles(tgz).map((f) => f.replace(/^package\//, '')));
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${name} is "${range}"`);
    }
  }
  for (const f of files) if (f.endsWith('.map')) problems.push(`ships the source map ${f}`);
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : v && typeof v === 'object' && Object.values(v).forEach(walk));
  walk(pkg.exports);
  for (const k of ['main', 'module', 'types', 'react-native']) if (typeof pkg[k] === 'string') targets.push(pkg[k]);
  for (const v of Object.values(pkg.bin ?? {})) targets.push(v);
  for (const t of targets) if (!files.has(t.replace(/^\.\//, ''))) problems.push(`points at ${t}, which is not in the tarball`);
  for (const f of ['README.md', 'LICENSE']) if (!files.has(f)) problems.push(`has no ${f}`);
  return problems;
}

function main() {
  const out = path.resolve(arg('--out', path.join(root, 'build', 'packed')));
  const targets = arg('--targets', 'linux-x64,linux-arm64');
  mkdirSync(out, { recursive: true });
  const have = (t) => {
    try {
      return statSync(path.join(root, 'native', 'prebuilds', t)).isDirectory();
    } catch {
      return false;
    }
  };
  const reuse = process.argv.includes('--reuse-prebuilds') && targets.split(',').every(have);
  const pre = reuse ? { status: 0 } : spawnSync(process.execPath, ['scripts/prebuild.js', '--target', targets], { cwd: path.join(root, 'native'), stdio: ['ignore', 2, 'inherit'] });
  if (pre.status !== 0) {
    process.stderr.write(`pack: the prebuilt native binaries for ${targets} could not be built (above)\n`);
    process.exit(1);
  }
  const results = [];
  let failed = false;
  for (const dir of PACKAGES) {
    const r = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: path.join(root, dir), encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(`pack: pnpm pack in ${dir} failed:\n${r.stdout}${r.stderr}\n`);
      process.exit(1);
    }
    const tgz = r.stdout.trim().split('\n').reverse().find((l) => l.endsWith('.tgz'));
    const file = path.isAbsolute(tgz) ? tgz : path.join(out, path.basename(tgz));
    const name = packedManifest(file).name;
    const problems = checkTarball(file);
    for (const p of problems) process.stderr.write(`pack: ${name} ${p}\n`);
    failed ||= problems.length > 0;
    results.push({ name, dir, file, bytes: statSync(file).size });
  }
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
  else for (const r of results) process.stdout.write(`${r.name} ${path.relative(process.cwd(), r.file)} ${r.bytes} B\n`);
  if (failed) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

#!/usr/bin/env node
'use strict';
// Builds the prebuilt binaries that go into the tarball (run by
// scripts/pack.mjs before packing; not shipped, not committed):
//   prebuilds/linux-x64/node.napi.glibc.node     Node-API only: loads in every Node >= 20
//   prebuilds/linux-x64/node.abi<N>.glibc.node   + the JS stack, for the Node major whose V8 headers were found
//   prebuilds/linux-arm64/...                    the same, cross-built with aarch64-linux-gnu-gcc/g++
// Node-API headers come from node-api-headers, so no node binary of the
// target is needed; the V8 headers for the abi variant are this node's
// (<prefix>/include/node; V8's C++ headers do not depend on the target's
// architecture). Usage: node scripts/prebuild.js [--target linux-x64,linux-arm64]
// Exits non-zero when a requested target cannot be built.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { describe } = require('./v8-headers.js');

const root = path.resolve(__dirname, '..');
const TARGETS = {
  'linux-x64': { cc: 'gcc', cxx: 'g++', strip: 'strip', processor: 'x86_64' },
  'linux-arm64': { cc: 'aarch64-linux-gnu-gcc', cxx: 'aarch64-linux-gnu-g++', strip: 'aarch64-linux-gnu-strip', processor: 'aarch64' },
};

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.error?.message || ''}${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Builds one variant for one target; returns the file written. */
function buildOne(target, variant, v8) {
  const t = TARGETS[target];
  const dir = path.join(root, 'build', 'prebuild', `${target}-${variant}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const napiInclude = require('node-api-headers').include_dir;
  run('cmake', [
    '-S', root, '-B', dir,
    '-DCMAKE_BUILD_TYPE=Release',
    '-DCMAKE_SYSTEM_NAME=Linux', `-DCMAKE_SYSTEM_PROCESSOR=${t.processor}`,
    `-DCMAKE_C_COMPILER=${t.cc}`, `-DCMAKE_CXX_COMPILER=${t.cxx}`,
    `-DCMAKE_JS_INC=${napiInclude}`,
    `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${dir}/out`,
    `-DCF_V8_HEADERS=${v8}`,
  ]);
  run('cmake', ['--build', dir, '--parallel', '2']);
  const dest = path.join(root, 'prebuilds', target, `node.${variant}.glibc.node`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  // Symbols stay in the build dir (breakpad can use them); the build id stays in the file.
  run(t.strip, ['--strip-unneeded', '-o', dest, path.join(dir, 'out', 'crashfree_native.node')]);
  return dest;
}

function main() {
  const i = process.argv.indexOf('--target');
  const targets = i > 0 ? process.argv[i + 1].split(',') : Object.keys(TARGETS);
  for (const t of targets) if (!TARGETS[t]) throw new Error(`prebuild: unknown target ${t} (known: ${Object.keys(TARGETS).join(', ')})`);
  fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
  const headers = describe(process.execPath, process.versions.node);
  const [state, dir, version] = headers.split(';');
  const abi = process.versions.modules;
  const napiReason = `this prebuilt binary is Node-API only (the package's prebuilt JS stack is for Node ${version ? version.split('.')[0] : '?'}.x, ABI ${abi}); for the JS caller on this Node: npm rebuild @crashfree/native --build-from-source (needs cmake, a C++ compiler and this node's headers)`;
  for (const t of targets) {
    const written = [buildOne(t, 'napi', `off;${napiReason}`)];
    if (state === 'on') written.push(buildOne(t, `abi${abi}`, headers));
    else process.stderr.write(`prebuild: no abi${abi} variant (${dir}): the prebuilt binaries have no JS stack\n`);
    for (const f of written) process.stdout.write(`${path.relative(root, f)} ${fs.statSync(f).size} B\n`);
  }
}

main();

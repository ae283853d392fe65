#!/usr/bin/env node
'use strict';
// Builds the addon with cmake-js during `pnpm install` (offline: Node-API
// headers come from node-api-headers). A failed build must not fail the
// install: @crashfree/node then runs without native capture, and the reason
// is kept in build/addon/BUILD_FAILED for load() to report in one sentence.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'build', 'addon');
const marker = path.join(out, 'BUILD_FAILED');

function main() {
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(marker, { force: true });
  if (process.env.CRASHFREE_SKIP_NATIVE_BUILD === '1') {
    fs.writeFileSync(marker, 'the native build was skipped (CRASHFREE_SKIP_NATIVE_BUILD=1)');
    return;
  }
  let cli;
  try {
    cli = require.resolve('cmake-js/bin/cmake-js');
  } catch {
    fs.writeFileSync(marker, 'cmake-js is not installed');
    return;
  }
  const r = spawnSync(process.execPath, [cli, 'build', '--out', out, '--log-level', 'warn'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) {
    const tail = `${r.stdout || ''}${r.stderr || ''}`.trim().split('\n').slice(-15).join('\n');
    const why = r.error ? r.error.message : /cmake: not found|ENOENT/.test(tail) ? 'cmake is not installed' : 'the C/C++ build failed';
    fs.writeFileSync(marker, why);
    process.stderr.write(`[crashfree] native crash capture will be off: ${why}.\n${tail}\n`);
  }
}

main();

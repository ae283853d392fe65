#!/usr/bin/env node
// wrapNativeAddon per-call cost: the same native function (the crasher
// addon's add(a, b)) called directly (anchor) and through the wrapper from
// the built @crashfree/node, in alternating rounds. Budget: <= 1.15x.
// Run after a build: `node bench/native-wrap.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const requireNative = createRequire(path.join(nativeDir, 'package.json'));
const requireNode = createRequire(path.join(root, 'packages', 'node', 'package.json'));

function crasherPath() {
  const build = path.join(nativeDir, 'build', 'crasher');
  const out = path.join(build, 'crasher.node');
  if (!existsSync(out)) {
    const include = requireNative('node-api-headers').include_dir;
    execFileSync('cmake', ['-S', path.join(nativeDir, 'test', 'crasher'), '-B', build, `-DNODE_API_INCLUDE=${include}`, '-DCMAKE_BUILD_TYPE=RelWithDebInfo'], { stdio: 'ignore' });
    execFileSync('cmake', ['--build', build], { stdio: 'ignore' });
  }
  return out;
}

const { wrapNativeAddon } = requireNode(path.join(root, 'packages', 'node', 'dist', 'cjs', 'index.cjs'));
const direct = requireNative(crasherPath());
const wrapped = wrapNativeAddon(direct, { name: 'crasher' });
if (wrapped === direct) throw new Error('native capture is unavailable: nothing to measure');

const CALLS = 1_000_000;
const ROUNDS = 25;
function round(addon) {
  let acc = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) acc += addon.add(i, 1);
  const ns = Number(process.hrtime.bigint() - t0) / CALLS;
  if (acc === 0) throw new Error('unreachable');
  return ns;
}

for (let i = 0; i < 3; i++) round(direct), round(wrapped); // warm-up: let both get optimised
const d = [];
const w = [];
for (let i = 0; i < ROUNDS; i++) {
  d.push(round(direct));
  w.push(round(wrapped));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const md = median(d);
const mw = median(w);
// Each wrapped round runs right after its direct round: the ratio within a
// pair is the least sensitive to load that drifts over the whole run.
const pairs = d.map((x, i) => w[i] / x);
console.log(`wrapNativeAddon per call (${ROUNDS} pairs of rounds x ${CALLS} calls, direct then wrapped)`);
console.log(`  direct native call (anchor)  median ${md.toFixed(1)} ns`);
console.log(`  through wrapNativeAddon      median ${mw.toFixed(1)} ns`);
console.log(`  ratio: median of pairs ${median(pairs).toFixed(2)}x, of medians ${(mw / md).toFixed(2)}x   (budget <= 1.15x)`);
console.log(`  load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

#!/usr/bin/env node
// Import + init cost of @crashfree/node against a bare `node` and the anchor
// @sentry/node: whole-process wall time (spawn to exit; each app calls init
// and then process.exit(0), what a short CLI pays) and peak RSS, median of N
// interleaved runs, against a real collector on loopback. Needs a build:
//   pnpm --filter "@crashfree/node..." build && node bench/node-startup.mjs
// ANCHOR=<a built worktree of the landed tree> adds its @crashfree/node to the
// same interleaved runs and prints the in-process difference (budget +0.5 ms).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromNode = createRequire(path.join(root, 'packages/node/package.json'));
const crashfreeEntry = requireFromNode.resolve('@crashfree/node');
const sentryEntry = requireFromNode.resolve('@sentry/node');
const { startCollector } = await import(createRequire(path.join(root, 'package.json')).resolve('@crashfree/collector'));

const RUNS = Number(process.env.RUNS ?? 21);
const collector = await startCollector({ host: '127.0.0.1', port: 0, log: () => undefined });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cf-bench-startup-'));
const anchorDir = mkdtempSync(path.join(os.tmpdir(), 'cf-bench-startup-anchor-'));
const anchorEntry = process.env.ANCHOR ? createRequire(path.join(path.resolve(process.env.ANCHOR), 'packages/node/package.json')).resolve('@crashfree/node') : undefined;
const crashfreeCase = (entry, dir) =>
  `${report} const t = performance.now(); const sdk = require(${JSON.stringify(entry)}); const u = performance.now(); sdk.init({ dsn: ${JSON.stringify(collector.dsn)}, release: 'bench@1.0.0', dataDir: ${JSON.stringify(dir)} }); globalThis.__initMs = performance.now() - t; globalThis.__initOnlyMs = performance.now() - u; process.exit(0);`;

// Each child prints, at exit, the in-process import+init time and its peak RSS (KiB).
const report = "process.on('exit', () => console.log(JSON.stringify({ initMs: globalThis.__initMs ?? 0, initOnlyMs: globalThis.__initOnlyMs ?? 0, rssKiB: process.resourceUsage().maxRSS })));";
const cases = {
  'bare node': `${report}`,
  '@crashfree/node': crashfreeCase(crashfreeEntry, dataDir),
  ...(anchorEntry && { '@crashfree/node (anchor)': crashfreeCase(anchorEntry, anchorDir) }),
  '@sentry/node': `${report} const t = performance.now(); require(${JSON.stringify(sentryEntry)}).init({ dsn: ${JSON.stringify(collector.dsn)}, release: 'bench@1.0.0' }); globalThis.__initMs = performance.now() - t; process.exit(0);`,
};

function once(code) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve({ wallMs: performance.now() - start, ...JSON.parse(out.trim().split('\n').pop()) }));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < RUNS + 1; i++) {
  for (const [name, code] of Object.entries(cases)) {
    const s = await once(code);
    if (i > 0) samples[name].push(s); // the first round warms the page cache
  }
}
await collector.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(anchorDir, { recursive: true, force: true });

const bare = { wall: median(samples['bare node'].map((s) => s.wallMs)), rss: median(samples['bare node'].map((s) => s.rssKiB)) };
console.log(`import + init, median of ${RUNS} runs (process spawn to exit; peak RSS)`);
console.log('| process | wall ms | × bare | in-process import+init ms | peak RSS MiB | + over bare MiB |');
console.log('|---|---|---|---|---|---|');
for (const [name, list] of Object.entries(samples)) {
  const wall = median(list.map((s) => s.wallMs));
  const rss = median(list.map((s) => s.rssKiB));
  const init = median(list.map((s) => s.initMs));
  console.log(`| ${name} | ${wall.toFixed(1)} | ${(wall / bare.wall).toFixed(2)}× | ${init.toFixed(1)} | ${(rss / 1024).toFixed(1)} | ${((rss - bare.rss) / 1024).toFixed(1)} |`);
}
console.log('budget: @crashfree/node ≤ 1.5× bare wall, ≤ +15 MiB peak RSS');
if (anchorEntry) {
  for (const [label, key] of [['import+init', 'initMs'], ['init() alone', 'initOnlyMs']]) {
    const at = (name) => median(samples[name].map((s) => s[key]));
    const delta = at('@crashfree/node') - at('@crashfree/node (anchor)');
    console.log(`in-process ${label}: this tree ${at('@crashfree/node').toFixed(2)} ms, anchor ${at('@crashfree/node (anchor)').toFixed(2)} ms, ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} ms (budget +0.5 ms)`);
  }
}

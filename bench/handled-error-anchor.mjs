#!/usr/bin/env node
// Per handled error, this tree against an anchor tree (another checkout,
// built, e.g. `git worktree add --detach ../anchor main && bash scripts/setup.sh`),
// in the same run, rounds alternating so machine noise hits both alike:
//  - core: bench/core-cost.mjs's "captured handled error" (in-memory Store, 200 executor);
//  - node: @crashfree/node with its real file store in a temp data dir and a
//    loopback HTTP server answering 200: the time captureException takes
//    (what the app waits for) and the time per error including delivery.
// Run after a build: node bench/handled-error-anchor.mjs <anchor dir>   (bounded: ~1 min)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const anchor = path.resolve(process.argv[2] ?? process.env.CF_ANCHOR ?? '');
if (!process.argv[2] && !process.env.CF_ANCHOR) {
  console.error('usage: node bench/handled-error-anchor.mjs <anchor checkout, built>');
  process.exit(2);
}
const ROUNDS = Number(process.env.CF_ROUNDS ?? 5);
const N = 2000;

// The node-side measurement, run in a child per tree (each imports its own build).
const NODE_CHILD = `
import http from 'node:http';
const [dist, dataDir, n] = process.argv.slice(-3);
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const Crashfree = await import(dist);
const client = Crashfree.init({ dsn: 'http://0123456789abcdef0123456789abcdef@127.0.0.1:' + server.address().port + '/1', release: 'bench@1.0.0', dataDir, anrThresholdMs: 0, spikeLimitPerMinute: 1e6, queue: { maxCount: 100000 } });
for (let i = 0; i < 500 && !client.getSessionId(); i++) await new Promise((r) => setTimeout(r, 5));
await client.flush(10000);
let sync = 0n;
const t0 = process.hrtime.bigint();
for (let i = 0; i < Number(n); i++) {
  const a = process.hrtime.bigint();
  Crashfree.captureException(new Error('bench error ' + (i % 50)));
  sync += process.hrtime.bigint() - a;
  // Yield now and then, as an app does: the background writes and sends run meanwhile.
  if (i % 20 === 19) await new Promise((r) => setImmediate(r));
}
await client.flush(60000);
const total = process.hrtime.bigint() - t0;
await client.close(5000);
server.close();
process.stdout.write(JSON.stringify({ sync: Number(sync) / Number(n) / 1000, total: Number(total) / Number(n) / 1000 }));
`;

function coreCost(root) {
  const out = execFileSync(process.execPath, [path.join(root, 'bench', 'core-cost.mjs')], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.startsWith('captured handled error'));
  return Number(/([\d.]+) µs\/op/.exec(line ?? '')?.[1]);
}

function nodeCost(root) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-bench-handled-'));
  try {
    const dist = path.join(root, 'packages', 'node', 'dist', 'esm', 'index.js');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', NODE_CHILD, '--', dist, dataDir, String(N)], { encoding: 'utf8' });
    return JSON.parse(out);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = { core: [[], []], sync: [[], []], total: [[], []] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [side, root] of [[0, here], [1, anchor]]) {
    rows.core[side].push(coreCost(root));
    const n = nodeCost(root);
    rows.sync[side].push(n.sync);
    rows.total[side].push(n.total);
  }
}
const fmt = (us) => `${us.toFixed(2).padStart(8)} µs`;
console.log(`per handled error, median of ${ROUNDS} alternating rounds (node: ${N} captures, file store, loopback 200)`);
console.log(`${'what'.padEnd(50)}${'this tree'.padEnd(14)}${'anchor'.padEnd(14)}ratio`);
const names = { core: 'core-cost.mjs captured handled error', sync: 'node: captureException call (app waits)', total: 'node: per error incl. persist + delivery' };
for (const [k, [a, b]] of Object.entries(rows)) {
  console.log(`${names[k].padEnd(50)}${fmt(median(a)).padEnd(14)}${fmt(median(b)).padEnd(14)}${(median(a) / median(b)).toFixed(2)}x`);
}
console.log(`anchor: ${anchor}`);

#!/usr/bin/env node
// Request throughput and p99 latency with wrk on loopback: a plain
// node:http server vs the same server with @crashfree/node in request mode
// (one session per request, aggregated) vs the anchor @sentry/node (its
// default http instrumentation). Rounds are interleaved; the best round of
// each is reported, so background load on a shared machine hurts everyone
// alike. Needs a build and wrk:
//   pnpm --filter "@crashfree/node..." build && node bench/node-http.mjs
// ANCHOR=/path/to/another/built/checkout (e.g. a worktree of main) adds that
// tree's request mode as a case, so a change is measured beside the landed
// code in the same run (CPU per request is the figure to compare).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cpuMs, startServer } from './lib/server-process.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireFromNode = createRequire(path.join(root, 'packages/node/package.json'));
const crashfreeEntry = requireFromNode.resolve('@crashfree/node');
const sentryEntry = requireFromNode.resolve('@sentry/node');
const { startCollector } = await import(createRequire(path.join(root, 'package.json')).resolve('@crashfree/collector'));

const ROUNDS = Number(process.env.ROUNDS ?? 2);
const DURATION = process.env.DURATION ?? '8s';
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const collector = await startCollector({ host: '127.0.0.1', port: 0, log: () => undefined });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cf-bench-http-'));

const server = "require('node:http').createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });";
const cases = {
  'plain node:http': server,
  '@crashfree/node (request mode)': `require(${JSON.stringify(crashfreeEntry)}).init({ dsn: ${JSON.stringify(collector.dsn)}, release: 'bench@1.0.0', sessionMode: 'request', dataDir: ${JSON.stringify(dataDir)} }); ${server}`,
  ...(process.env.ANCHOR && {
    '@crashfree/node (request mode, ANCHOR tree)': `require(${JSON.stringify(createRequire(path.join(path.resolve(process.env.ANCHOR), 'packages/node/package.json')).resolve('@crashfree/node'))}).init({ dsn: ${JSON.stringify(collector.dsn)}, release: 'bench@1.0.0', sessionMode: 'request', dataDir: ${JSON.stringify(dataDir + '-anchor')} }); ${server}`,
  }),
  '@sentry/node': `require(${JSON.stringify(sentryEntry)}).init({ dsn: ${JSON.stringify(collector.dsn)}, release: 'bench@1.0.0' }); ${server}`,
};

function wrk(port, duration) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${duration}`, '--latency', `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
      const scale = { us: 0.001, ms: 1, s: 1000 };
      resolve({ rps, requests, p99Ms: p99 ? Number(p99[1]) * scale[p99[2]] : NaN });
    });
  });
}

const best = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, code] of Object.entries(cases)) {
    const { child, port } = await startServer(code);
    await wrk(port, '2s'); // warm-up: JIT, keep-alive connections
    const cpuBefore = cpuMs(child.pid);
    const r = await wrk(port, DURATION);
    const cpuPerRequestUs = ((cpuMs(child.pid) - cpuBefore) * 1000) / r.requests;
    child.kill('SIGKILL');
    const b = best[name];
    best[name] = { rps: Math.max(b?.rps ?? 0, r.rps), p99Ms: Math.min(b?.p99Ms ?? Infinity, r.p99Ms), cpuUs: Math.min(b?.cpuUs ?? Infinity, cpuPerRequestUs) };
  }
}
await collector.close();
rmSync(dataDir, { recursive: true, force: true });
rmSync(`${dataDir}-anchor`, { recursive: true, force: true });

const plain = best['plain node:http'];
console.log(`wrk -t1 -c${CONNECTIONS} -d${DURATION} on loopback, best of ${ROUNDS} interleaved rounds`);
console.log('| server | requests/s | × plain | p99 ms | × plain | server CPU µs/request | × plain |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(best)) {
  console.log(
    `| ${name} | ${r.rps.toFixed(0)} | ${(r.rps / plain.rps).toFixed(2)}× | ${r.p99Ms.toFixed(2)} | ${(r.p99Ms / plain.p99Ms).toFixed(2)}× | ${r.cpuUs.toFixed(1)} | ${(r.cpuUs / plain.cpuUs).toFixed(2)}× |`,
  );
}
console.log('(CPU per request is the least noisy figure on a shared machine: throughput ≈ 1 / CPU per request when the server is the bottleneck.)');
console.log('budget: crashfree ≥ 0.90× plain throughput, p99 ≤ 1.2× plain');
const anchor = best['@crashfree/node (request mode, ANCHOR tree)'];
if (anchor) {
  const mine = best['@crashfree/node (request mode)'];
  console.log(`request mode vs the ANCHOR tree: CPU/request ${(mine.cpuUs / anchor.cpuUs).toFixed(3)}× (budget ≤ 1.05×), throughput ${(mine.rps / anchor.rps).toFixed(3)}×, p99 ${(mine.p99Ms / anchor.p99Ms).toFixed(2)}×`);
}

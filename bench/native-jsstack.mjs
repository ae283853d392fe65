#!/usr/bin/env node
// What the JS stack at crash time costs a running server: V8's code events
// stay on (names of compiled code, and code moves logged during GC). The
// same node:http server (a small JSON response, so the GC works) plain, with
// @crashfree/node (request mode, native capture on, JS stack on: the
// default) and with CRASHFREE_NATIVE_JS_STACK=0, in interleaved rounds;
// server CPU per request from /proc (the least noisy figure on a shared
// machine), median and best of the rounds. Needs a build and wrk:
//   pnpm --filter "@crashfree/node..." build && node bench/native-jsstack.mjs
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cpuMs, startServer } from './lib/server-process.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crashfreeEntry = createRequire(path.join(root, 'packages/node/package.json')).resolve('@crashfree/node');
const { startCollector } = await import(createRequire(path.join(root, 'package.json')).resolve('@crashfree/collector'));

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const DURATION = process.env.DURATION ?? '5s';
const collector = await startCollector({ host: '127.0.0.1', port: 0, log: () => undefined });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cf-bench-jsstack-'));

const server =
  "require('node:http').createServer((req, res) => res.end(JSON.stringify({ ok: true, url: req.url, at: Date.now(), list: [1, 2, 3].map((x) => ({ x })) }))).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });";
const withSdk = `const s = require(${JSON.stringify(crashfreeEntry)}); s.init({ dsn: ${JSON.stringify(collector.dsn)}, release: 'bench@1.0.0', sessionMode: 'request', dataDir: ${JSON.stringify(dataDir)} }); if (!s.getNativeCaptureStatus().enabled) throw new Error('native capture is off'); ${server}`;
const cases = {
  'plain node:http (anchor)': { code: server, env: {} },
  '@crashfree/node, JS stack on (default)': { code: withSdk, env: {} },
  '@crashfree/node, CRASHFREE_NATIVE_JS_STACK=0': { code: withSdk, env: { CRASHFREE_NATIVE_JS_STACK: '0' } },
};

function wrk(port, duration) {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', ['-t1', '-c16', `-d${duration}`, `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve({ rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), requests: Number(/(\d+) requests in/.exec(out)?.[1]) }));
  });
}

const runs = Object.fromEntries(Object.keys(cases).map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  const names = Object.keys(cases);
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]; // rotating order: drifting load hits all alike
    const { child, port } = await startServer(cases[name].code, cases[name].env);
    await wrk(port, '2s'); // warm-up: JIT, keep-alive connections
    const before = cpuMs(child.pid);
    const r = await wrk(port, DURATION);
    runs[name].push({ cpuUs: ((cpuMs(child.pid) - before) * 1000) / r.requests, rps: r.rps });
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
}
await collector.close();
rmSync(dataDir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const plain = runs['plain node:http (anchor)'];
const plainMedian = median(plain.map((r) => r.cpuUs));
const plainBest = Math.min(...plain.map((r) => r.cpuUs));
console.log(`wrk -t1 -c16 -d${DURATION} on loopback, ${ROUNDS} interleaved rounds; server CPU per request`);
console.log('| server | median µs/request | × plain | best µs/request | × plain | median requests/s |');
console.log('|---|---|---|---|---|---|');
for (const [name, rs] of Object.entries(runs)) {
  const m = median(rs.map((r) => r.cpuUs));
  const b = Math.min(...rs.map((r) => r.cpuUs));
  console.log(`| ${name} | ${m.toFixed(1)} | ${(m / plainMedian).toFixed(2)}× | ${b.toFixed(1)} | ${(b / plainBest).toFixed(2)}× | ${median(rs.map((r) => r.rps)).toFixed(0)} |`);
}
console.log(`load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

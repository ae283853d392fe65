#!/usr/bin/env node
// Collector ingest throughput on loopback: envelopes/s with 1, 4 and 16
// concurrent keep-alive senders, each accepted envelope fsynced before its
// 200. Anchor, measured in the same run with the same clients and bodies: a
// bare node:http server that reads the body and answers 200 without storing.
// Also: restart time of the collector over everything stored, against a bare
// read of its log file. Run after a build: node bench/collector-ingest.mjs
// Bounded: each phase stops after MAX_PER_PHASE envelopes or PHASE_MS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_PER_PHASE = 20_000;
const PHASE_MS = 6_000;
const CONCURRENCY = [1, 4, 16];
const self = fileURLToPath(import.meta.url);

// --- server side (runs in a child so senders and server don't share a loop) ---
if (process.argv[2] === '--serve') {
  const kind = process.argv[3];
  if (kind === 'anchor') {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        Buffer.concat(chunks);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
  } else {
    const { startCollector } = await import('@crashfree/collector');
    const c = await startCollector({ port: 0, dataDir: process.argv[4], log: () => {} });
    process.stdout.write(`${JSON.stringify({ url: c.url, dsn: c.dsn })}\n`);
  }
  process.on('SIGTERM', () => process.exit(0));
} else {
  await main();
}

function serve(kind, dataDir) {
  const child = spawn(process.execPath, [self, '--serve', kind, dataDir ?? ''], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ...JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited ${code}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** A realistic envelope: an error event (~1.5 KB) plus a session update, fresh ids each time. */
function makeEnvelope(i) {
  const eventId = randomBytes(16).toString('hex');
  const frames = Array.from({ length: 12 }, (_, n) => ({ filename: `/app/src/module${n}.js`, function: `handler${n}`, lineno: 10 + n, colno: 5, in_app: true }));
  return Buffer.from(
    [
      JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString(), sdk: { name: 'bench', version: '1.0.0' } }),
      JSON.stringify({ type: 'event' }),
      JSON.stringify({ event_id: eventId, level: 'error', release: 'bench@1.0.0', environment: 'bench', platform: 'node', exception: { values: [{ type: 'Error', value: `bench error ${i}`, stacktrace: { frames } }] } }),
      JSON.stringify({ type: 'session' }),
      JSON.stringify({ sid: eventId, init: true, seq: 0, status: 'ok', errors: 1, started: new Date().toISOString(), attrs: { release: 'bench@1.0.0' } }),
    ].join('\n'),
  );
}

async function load(url, dsn, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const key = dsn ? new URL(dsn).username : 'anchor';
  const target = new URL(`${url}/api/1/envelope/?sentry_key=${key}`);
  const latencies = [];
  let sent = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + PHASE_MS;
  const sender = async () => {
    while (sent < MAX_PER_PHASE && performance.now() < deadline) {
      const body = makeEnvelope(sent++);
      const t0 = performance.now();
      const status = await new Promise((resolve) => {
        const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/x-sentry-envelope', 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      });
      latencies.push(performance.now() - t0);
      if (status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { count: latencies.length, rate: latencies.length / seconds, p50: q(0.5), p99: q(0.99), failures };
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cf-bench-collector-'));
  console.log(`collector ingest on loopback (${os.cpus().length} cores, Node ${process.version}); each phase <= ${MAX_PER_PHASE} envelopes or ${PHASE_MS / 1000} s`);
  console.log('senders | anchor (bare http, no storage) env/s | collector (fsync before 200) env/s | collector/anchor | collector p50 / p99 ms');
  const anchor = await serve('anchor');
  const collector = await serve('collector', dataDir);
  let total = 0;
  try {
    for (const n of CONCURRENCY) {
      const a = await load(anchor.url, undefined, n);
      const c = await load(collector.url, collector.dsn, n);
      total += c.count - c.failures;
      const fail = a.failures + c.failures ? `  (non-200: anchor ${a.failures}, collector ${c.failures})` : '';
      console.log(
        `${String(n).padStart(7)} | ${a.rate.toFixed(0).padStart(36)} | ${c.rate.toFixed(0).padStart(34)} | ${(c.rate / a.rate).toFixed(2).padStart(16)} | ${c.p50.toFixed(2)} / ${c.p99.toFixed(2)}${fail}`,
      );
    }
  } finally {
    await stop(anchor.child);
    await stop(collector.child);
  }

  // Restart over everything just stored: the index is rebuilt from the log.
  const log = path.join(dataDir, 'items.log');
  const size = (await stat(log)).size;
  let t0 = performance.now();
  await readFile(log);
  const readMs = performance.now() - t0;
  t0 = performance.now();
  const { startCollector } = await import('@crashfree/collector');
  const again = await startCollector({ port: 0, dataDir, log: () => {} });
  const startMs = performance.now() - t0;
  const items = again.items().length;
  await again.close();
  console.log(`restart over ${total} envelopes (${items} items, ${(size / 1048576).toFixed(1)} MiB log): collector start ${startMs.toFixed(0)} ms | anchor: bare readFile of the log ${readMs.toFixed(0)} ms`);
  await rm(dataDir, { recursive: true, force: true });
}

#!/usr/bin/env node
// Collector memory over a long ingest, and restart time over the large log
// it leaves, side by side with an anchor tree on the same load in the same
// run.
//
//   ANCHOR=/path/to/other/worktree node bench/collector-memory.mjs [ITEMS]
//
// ITEMS (default 1,000,000) stored items are sent over loopback as
// envelopes of 100 items (20 error events and 80 session updates, each with
// its own id, so nothing is deduped), by 8 keep-alive senders, to a real
// collector in a child process; RSS and heap (after a GC) are printed every
// 10 % of the run. Then the collector is stopped and started again over the
// same log (3 starts, median), for this tree and for ANCHOR over a copy of
// the very same log file, and memory after the restart is printed too.
// Bounded: each ingest stops after ITEMS items or MAX_INGEST_MS; loopback
// only. Run after a build of both trees (ANCHOR's collector dist is used).
import { fork } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const here = path.resolve(path.dirname(self), '..');
const ITEMS_PER_ENVELOPE = 100;
const EVENTS_PER_ENVELOPE = 20;
const SENDERS = 8;
const MAX_INGEST_MS = 8 * 60_000;
const RESTARTS = 3;
const MiB = 1024 * 1024;

// --- child: one collector, answering memory questions over IPC ---
if (process.argv[2] === '--serve') {
  const [, , , modulePath, dataDir] = process.argv;
  const { startCollector } = await import(pathToFileURL(modulePath).href);
  const t0 = performance.now();
  // retention: null keeps everything (the anchor ignores the option).
  const collector = await startCollector({ port: 0, dataDir, log: () => {}, retention: null });
  const startMs = performance.now() - t0;
  const memory = () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
  };
  process.on('message', async (msg) => {
    if (msg === 'mem') process.send({ mem: memory() });
    if (msg === 'stop') {
      await collector.close();
      process.send({ stopped: true });
      process.exit(0);
    }
  });
  process.send({ url: collector.url, dsn: collector.dsn, token: collector.token, startMs, mem: memory() });
}

function serve(modulePath, dataDir) {
  const child = fork(self, ['--serve', modulePath, dataDir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (msg, key) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m[key] !== undefined) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
      child.send(msg);
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`collector child exited ${code}`)));
    child.once('message', (ready) =>
      resolve({
        ...ready,
        mem: ready.mem,
        memory: async () => (await ask('mem', 'mem')).mem,
        stop: async () => {
          child.removeAllListeners('exit');
          const exited = new Promise((r) => child.once('exit', r));
          child.send('stop');
          await exited;
        },
      }),
    );
  });
}

const hex = (n, width) => n.toString(16).padStart(width, '0');

/** Envelope number `n`: 20 error events and 80 session updates with ids of their own. */
function makeEnvelope(n) {
  const lines = [JSON.stringify({ sent_at: '2026-12-07T00:00:00.000Z', sdk: { name: 'bench', version: '1.0.0' } })];
  for (let i = 0; i < ITEMS_PER_ENVELOPE; i++) {
    const id = hex(n, 24) + hex(i, 8);
    if (i < EVENTS_PER_ENVELOPE) {
      lines.push('{"type":"event"}');
      lines.push(
        JSON.stringify({
          event_id: id,
          level: 'error',
          release: `bench@1.0.${n % 5}`,
          environment: 'bench',
          platform: 'node',
          exception: { values: [{ type: 'TypeError', value: `cannot read property of undefined (${n % 97})`, stacktrace: { frames: [{ filename: '/app/src/a.js', function: 'handler', lineno: 10 + (n % 13), colno: 5, in_app: true }] } }] },
        }),
      );
    } else {
      lines.push('{"type":"session"}');
      lines.push(JSON.stringify({ sid: id, did: `user-${n % 1000}`, init: true, seq: 0, status: 'exited', errors: 0, started: '2026-12-07T00:00:00.000Z', duration: 1.5, attrs: { release: `bench@1.0.${n % 5}`, environment: 'bench' } }));
    }
  }
  return Buffer.from(lines.join('\n'));
}

async function ingest(server, items, label) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const target = new URL(`${server.url}/api/1/envelope/?sentry_key=${new URL(server.dsn).username}`);
  const envelopes = Math.ceil(items / ITEMS_PER_ENVELOPE);
  const step = Math.max(1, Math.floor(envelopes / 10));
  const samples = [{ items: 0, ms: 0, ...server.mem }];
  let next = 0;
  let done = 0;
  let failures = 0;
  const started = performance.now();
  let sampling = Promise.resolve();
  const sender = async () => {
    while (next < envelopes && performance.now() - started < MAX_INGEST_MS) {
      const body = makeEnvelope(next++);
      const status = await new Promise((resolve) => {
        const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/x-sentry-envelope', 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      });
      if (status !== 200) failures++;
      done++;
      if (done % step === 0) {
        const at = { items: done * ITEMS_PER_ENVELOPE, ms: performance.now() - started };
        sampling = sampling.then(async () => samples.push({ ...at, ...(await server.memory()) }));
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  await sampling;
  agent.destroy();
  const ms = performance.now() - started;
  if (samples.at(-1).items !== done * ITEMS_PER_ENVELOPE) samples.push({ items: done * ITEMS_PER_ENVELOPE, ms, ...(await server.memory()) });
  if (failures) console.log(`${label}: ${failures} envelope(s) not answered 200`);
  return { samples, items: done * ITEMS_PER_ENVELOPE, ms };
}

const mib = (b) => (b / MiB).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function restarts(modulePath, dataDir) {
  const times = [];
  let mem;
  for (let i = 0; i < RESTARTS; i++) {
    const s = await serve(modulePath, dataDir);
    times.push(s.startMs);
    mem = await s.memory();
    await s.stop();
  }
  return { ms: median(times), all: times, mem };
}

async function main() {
  const items = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isSafeInteger(items) || items <= 0) throw new Error(`ITEMS is "${process.argv[2]}"; expected a positive integer`);
  const ours = path.join(here, 'packages/collector/dist/esm/index.js');
  const anchorRoot = process.env.ANCHOR;
  const trees = [['this tree', ours]];
  if (anchorRoot) trees.unshift(['anchor', path.join(path.resolve(anchorRoot), 'packages/collector/dist/esm/index.js')]);
  const root = await mkdtemp(path.join(os.tmpdir(), 'cf-bench-collector-memory-'));
  console.log(`collector memory: ${items.toLocaleString('en')} items (${ITEMS_PER_ENVELOPE} per envelope, ${SENDERS} senders, loopback; ${os.cpus().length} cores, Node ${process.version}); RSS / heap after a GC, MiB`);
  if (!anchorRoot) console.log('(no ANCHOR=<worktree> given: this tree only)');
  try {
    const runs = [];
    for (const [label, modulePath] of trees) {
      const dataDir = path.join(root, label.replace(/\W+/g, '-'));
      await mkdir(dataDir, { recursive: true });
      const server = await serve(modulePath, dataDir);
      const run = await ingest(server, items, label);
      // The page and the gate make the collector build its release-health
      // and issue indexes over everything stored: memory with those built.
      const t0 = performance.now();
      const statuses = [];
      for (const route of ['sessions/?field=sum(session)&field=count_unique(user)&groupBy=release&statsPeriod=7d&interval=1h', 'issues/']) {
        const res = await fetch(`${server.url}/api/0/organizations/acme/${route}`, { headers: { Authorization: `Bearer ${server.token}` } });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      const api = { ms: performance.now() - t0, statuses, mem: await server.memory() };
      await server.stop();
      runs.push({ label, modulePath, dataDir, api, ...run });
    }
    console.log(`items      | ${runs.map((r) => `${r.label} RSS / heap`.padStart(24)).join(' | ')}`);
    const rows = Math.max(...runs.map((r) => r.samples.length));
    for (let i = 0; i < rows; i++) {
      const at = runs.find((r) => r.samples[i])?.samples[i]?.items ?? 0;
      console.log(`${at.toLocaleString('en').padStart(10)} | ${runs.map((r) => (r.samples[i] ? `${mib(r.samples[i].rss)} / ${mib(r.samples[i].heapUsed)}` : '-').padStart(24)).join(' | ')}`);
    }
    for (const r of runs) console.log(`${r.label}: ingest of ${r.items.toLocaleString('en')} items took ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.items / (r.ms / 1000)).toLocaleString('en')} items/s)`);
    for (const r of runs) {
      console.log(`${r.label}: after a sessions API and an issues API query (${r.api.statuses.join(', ')}; indexes built in ${(r.api.ms / 1000).toFixed(1)} s): RSS ${mib(r.api.mem.rss)} / heap ${mib(r.api.mem.heapUsed)} MiB`);
    }

    // Restart over one and the same log: this tree's, copied for the other.
    const ourRun = runs.find((r) => r.label === 'this tree');
    const log = path.join(ourRun.dataDir, 'items.log');
    const logBytes = (await stat(log)).size;
    const results = [];
    for (const r of runs) {
      const dir = path.join(root, `restart-${r.label.replace(/\W+/g, '-')}`);
      await mkdir(dir, { recursive: true });
      await copyFile(log, path.join(dir, 'items.log'));
      results.push({ label: r.label, ...(await restarts(r.modulePath, dir)) });
    }
    console.log(`restart over the same log (${ourRun.items.toLocaleString('en')} items, ${mib(logBytes)} MiB), median of ${RESTARTS} starts:`);
    for (const r of results) console.log(`  ${r.label.padEnd(10)} ${r.ms.toFixed(0).padStart(6)} ms (${r.all.map((t) => t.toFixed(0)).join(', ')}), then RSS ${mib(r.mem.rss)} / heap ${mib(r.mem.heapUsed)} MiB`);
    const anchor = results.find((r) => r.label === 'anchor');
    if (anchor) console.log(`  this tree / anchor: ${(results.find((r) => r.label === 'this tree').ms / anchor.ms).toFixed(2)}x restart time (budget <= 2x)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[2] !== '--serve') await main();

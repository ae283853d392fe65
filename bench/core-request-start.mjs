#!/usr/bin/env node
// Request-mode hot path: the cost of one request's session (startRequest +
// end) in the built @crashfree/core, side by side in the same process with
// the anchor: the same work through a per-request object literal with a
// `get status()` getter and closures (the shape the core used before), and a
// bare loop doing only the bucket count. Figures are ns per request, median
// of rounds. Run after a build: node bench/core-request-start.mjs (a few seconds)
// ANCHOR=/path/to/another/built/checkout adds that tree's core as a case.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = await import(pathToFileURL(path.join(root, 'packages', 'core', 'dist', 'esm', 'index.js')).href);
const sentry = await import(pathToFileURL(path.join(root, 'packages', 'core', 'node_modules', '@sentry', 'core', 'build', 'esm', 'index.js')).href);

const N = 200_000;
const ROUNDS = 9;
const platform = {
  name: 'node',
  sdk: { name: 'crashfree.bench', version: '0.0.0' },
  store: core.createMemoryStore(),
  makeRequest: async () => ({ statusCode: 200, headers: {} }),
  liveness: { owner: () => ({}), isAlive: async () => true },
  eventFromException: () => sentry.resolvedSyncPromise({}),
  eventFromMessage: () => sentry.resolvedSyncPromise({}),
  logger: { log() {}, warn() {}, error: console.error },
};
const anchorCore = process.env.ANCHOR
  ? await import(pathToFileURL(path.join(path.resolve(process.env.ANCHOR), 'packages', 'core', 'dist', 'esm', 'index.js')).href)
  : undefined;
const anchorClient = anchorCore?.createClient({ dsn: 'http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1', release: 'bench@1', sessionMode: 'request' }, { ...platform, store: anchorCore.createMemoryStore() });
const client = core.createClient({ dsn: 'http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1', release: 'bench@1', sessionMode: 'request' }, platform);

// Anchor: the previous shape, built the same way per request.
const buckets = new Map();
function count(minute, status) {
  let b = buckets.get(minute);
  if (!b) buckets.set(minute, (b = { exited: 0, errored: 0, crashed: 0 }));
  b[status] += 1;
}
function literalStart() {
  const startedMinute = Math.floor(Date.now() / 60_000) * 60_000;
  let status = 'ok';
  let marked = 'exited';
  const req = {
    get status() {
      return status;
    },
    captureException: (e, h) => req,
    markErrored: () => {
      if (marked === 'exited') marked = 'errored';
    },
    markCrashed: () => {
      marked = 'crashed';
    },
    end: (final) => {
      if (status !== 'ok') return;
      status = final ?? marked;
      count(startedMinute, status);
    },
  };
  return req;
}

const kinds = {
  'bare bucket count': () => count(Math.floor(Date.now() / 60_000) * 60_000, 'exited'),
  'previous shape (literal + getter)': () => {
    const r = literalStart();
    r.end();
    if (r.status !== 'exited') throw new Error('bad');
  },
  '@crashfree/core startRequest': () => {
    const r = client.startRequest();
    r.end();
    if (r.status !== 'exited') throw new Error('bad');
  },
  ...(anchorClient && {
    'ANCHOR tree startRequest': () => {
      const r = anchorClient.startRequest();
      r.end();
      if (r.status !== 'exited') throw new Error('bad');
    },
  }),
};
const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(kinds)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    results[name].push(Number(process.hrtime.bigint() - t0) / N);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const anchor = median(results['previous shape (literal + getter)']);
console.log(`one request's session (start + end), ns/request, median of ${ROUNDS} rounds of ${N}`);
console.log('| path | ns/request | × previous shape |');
console.log('|---|---|---|');
for (const [name, xs] of Object.entries(results)) console.log(`| ${name} | ${median(xs).toFixed(1)} | ${(median(xs) / anchor).toFixed(2)}× |`);
if (anchorClient) {
  const ratio = median(results['@crashfree/core startRequest']) / median(results['ANCHOR tree startRequest']);
  console.log(`@crashfree/core startRequest vs the ANCHOR tree: ${ratio.toFixed(2)}×`);
  await anchorClient.close(0);
}
await client.close(0);

#!/usr/bin/env node
// Core cost per captured event (a handled error) and per session update,
// side by side with a bare @sentry/core client doing the same (the anchor),
// in the same process. Both clients build the same event, serialize the same
// envelopes and hand them to a request executor that answers 200 at once
// (no network), so the difference is crashfree's own work: capture-time
// accounting, event policy, persistence to the Store (in memory here) before
// sending and deletion after. Each figure includes delivery (flush).
// Run after a build: node bench/core-cost.mjs   (bounded: a few seconds)
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const coreDir = path.join(root, 'packages', 'core');
const crashfree = await import(pathToFileURL(path.join(coreDir, 'dist', 'esm', 'index.js')).href);
// The very @sentry/core module instance the built core imports.
const sentry = await import(pathToFileURL(path.join(coreDir, 'node_modules', '@sentry', 'core', 'build', 'esm', 'index.js')).href);

const N = 5_000; // operations per round
const ROUNDS = 7;
const DSN = 'http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1';

const ok = async () => ({ statusCode: 200, headers: {} });
const eventFromException = (exception, hint) =>
  sentry.resolvedSyncPromise({
    exception: { values: [{ type: exception.name, value: exception.message, mechanism: { type: 'generic', handled: hint?.mechanism?.handled ?? true } }] },
  });
const eventFromMessage = (message, level) => sentry.resolvedSyncPromise({ message, level });

function crashfreeClient() {
  const platform = {
    name: 'node',
    sdk: { name: 'crashfree.bench', version: '0.0.0' },
    store: crashfree.createMemoryStore(),
    makeRequest: ok,
    liveness: { owner: () => ({ pid: process.pid }), isAlive: async () => true },
    eventFromException,
    eventFromMessage,
    logger: { log() {}, warn() {}, error: console.error },
  };
  // Budget and spike limit high so every event takes the full "kept" path, as in the anchor.
  return crashfree.createClient({ dsn: DSN, release: 'bench@1.0.0', spikeLimitPerMinute: 1_000_000, queue: { maxCount: 100_000 } }, platform);
}

class BareClient extends sentry.Client {
  eventFromException(e, h) {
    return eventFromException(e, h);
  }
  eventFromMessage(m, l) {
    return eventFromMessage(m, l);
  }
}
function bareClient() {
  const client = new BareClient({
    dsn: DSN,
    release: 'bench@1.0.0',
    integrations: [],
    stackParser: sentry.createStackParser(),
    transport: (o) => sentry.createTransport({ ...o, bufferSize: 100_000 }, ok),
  });
  sentry.setCurrentClient(client);
  client.init();
  return client;
}

async function once(make, op, perOp) {
  const client = await make();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) op(client, i);
  await client.flush(30_000);
  const ns = Number(process.hrtime.bigint() - t0);
  await client.close(1000);
  return ns / (N * perOp) / 1000;
}

/** Rounds alternate between the two sides so machine noise hits both alike; round 0 warms up the JIT. */
async function pair(a, b) {
  const ta = [];
  const tb = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const x = await once(...a);
    const y = await once(...b);
    if (round > 0) {
      ta.push(x);
      tb.push(y);
    }
  }
  const median = (t) => t.sort((p, q) => p - q)[Math.floor(t.length / 2)];
  return [{ us: median(ta) }, { us: median(tb) }];
}

const startedCrashfree = async () => {
  const c = crashfreeClient();
  await c.start();
  return c;
};
const captureOp = (client, i) => client.captureException(new Error(`bench error ${i % 50}`));
// One session op = end the running session and start the next: two updates (exited + init).
const crashfreeSessionOp = (client) => client.startSession();
const bareSessionOp = (client) => {
  const previous = client.__session;
  if (previous) {
    sentry.closeSession(previous);
    client.captureSession(previous);
  }
  const session = sentry.makeSession({ release: 'bench@1.0.0', environment: 'production' });
  client.captureSession(session);
  client.__session = session;
};
const results = [
  await pair([startedCrashfree, captureOp, 1], [bareClient, captureOp, 1]),
  await pair([startedCrashfree, crashfreeSessionOp, 2], [bareClient, bareSessionOp, 2]),
];

const fmt = (r) => `${r.us.toFixed(2).padStart(8)} µs/op ${Math.round(1e6 / r.us).toLocaleString('en-US').padStart(10)} ops/s`;
console.log(`core cost (median of ${ROUNDS} rounds of ${N.toLocaleString('en-US')} ops, delivery to an in-process 200 executor included)`);
console.log(`${'what'.padEnd(34)}${'crashfree'.padEnd(36)}${'anchor: bare @sentry/core client'.padEnd(38)}ratio`);
const names = ['captured handled error', 'session update'];
results.forEach(([cf, anchor], i) => {
  console.log(`${names[i].padEnd(34)}${fmt(cf).padEnd(36)}${fmt(anchor).padEnd(38)}${(cf.us / anchor.us).toFixed(2)}x`);
});

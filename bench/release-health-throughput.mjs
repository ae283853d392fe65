#!/usr/bin/env node
// Release-health computation throughput: session updates/s through
// SessionIndex (dedupe by sid+seq, outcome accounting, per-minute cells,
// interned users), and the time of a full crash-free query over the result.
// Anchor, same run, same update objects: the least work any correct
// computation must do — one Map.set per update keeping the latest seq per sid.
// Run after a build: node bench/release-health-throughput.mjs [updates]
import { SessionIndex, computeMetrics } from '@crashfree/release-health';

const UPDATES = Number(process.argv[2] ?? 1_000_000);
const USERS = 100_000;
const now = Date.now();

function makeUpdates(n) {
  const out = new Array(n);
  for (let i = 0; i < n / 2; i++) {
    const release = i % 3 === 0 ? '1.1.0' : '1.0.0';
    const started = new Date(now - ((i * 7919) % 82_800_000)).toISOString();
    const base = { sid: `s${i}`, did: `u${(i * 31) % USERS}`, started, attrs: { release, environment: i % 10 === 0 ? 'staging' : 'production' } };
    out[2 * i] = { ...base, init: true, seq: 0, status: 'ok', errors: 0 };
    out[2 * i + 1] = { ...base, seq: 1, status: (release === '1.1.0' ? i % 50 === 0 : i % 500 === 1) ? 'crashed' : 'exited', errors: 0 };
  }
  return out;
}

function best(fn, runs) {
  let min = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = fn();
    min = Math.min(min, performance.now() - t);
  }
  return { ms: min, result };
}

const updates = makeUpdates(UPDATES);
const metas = [{ platform: 'node', project: '1' }, { platform: 'browser', project: '1' }];

const anchor = best(() => {
  const latest = new Map();
  for (const u of updates) {
    const prev = latest.get(u.sid);
    if (prev === undefined || u.seq > prev) latest.set(u.sid, u.seq);
  }
  return latest.size;
}, 3);

const ingest = best(() => {
  const index = new SessionIndex();
  for (let i = 0; i < updates.length; i++) index.addSession(updates[i], metas[(i >> 12) & 1]);
  return index;
}, 3);
const index = ingest.result;

const queries = [
  ['totals by release, users included', { groupBy: ['release'] }],
  ['totals by release, sessions only', { groupBy: ['release'], users: false }],
  ['hourly series by release, users', { groupBy: ['release'], interval: 3_600_000, start: now - 86_400_000, end: now + 1 }],
  ['one release, per platform', { groupBy: ['platform'], filter: { release: '1.1.0' } }],
];
console.log(`${UPDATES} session updates (${UPDATES / 2} sessions, ${USERS} users, 2 releases × 2 environments × 2 platforms, over 23 h)`);
console.log(`\n${'what'.padEnd(44)} | release-health            | anchor (Map.set latest seq per sid)`);
console.log(`${'ingest'.padEnd(44)} | ${`${Math.round(UPDATES / (ingest.ms / 1000)).toLocaleString('en')} updates/s`.padEnd(25)} | ${Math.round(UPDATES / (anchor.ms / 1000)).toLocaleString('en')} updates/s`);
for (const [name, q] of queries) {
  const t = best(() => index.query(q), 5);
  console.log(`${`query: ${name}`.padEnd(44)} | ${`${t.ms.toFixed(1)} ms`.padEnd(25)} |`);
}
const rows = index.query({ groupBy: ['release'] }).groups.map((g) => `${g.by.release}: ${(computeMetrics(g.totals).crashFreeSessions * 100).toFixed(2)}% sessions, ${(computeMetrics(g.totals).crashFreeUsers * 100).toFixed(2)}% users`);
console.log(`\ncheck: ${rows.join('; ')}; stats ${JSON.stringify(index.stats())}`);
console.log(`heap used after: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

#!/usr/bin/env node
// Sessions API latency over 1M session updates in a real collector.
// How they get in: 500 large envelopes of 2000 `session` items each (init +
// terminal update of 500k sessions, 2 releases × 2 environments × 2 SDK
// platforms, started over the last 23 h, 100k users), POSTed over loopback
// by 4 concurrent senders into a collector whose release-health index was
// created before ingest, so it is fed incrementally by subscription.
// Then each query shape is timed over HTTP (p50/p95 of 20 runs).
// Anchor, same run, same data: the same totals computed the naive way — a
// full scan over every stored item with a per-sid Map — as an API without an
// index would have to. Run after a build: node bench/release-health-sessions-api.mjs [updates]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCollector } from '@crashfree/collector';

const UPDATES = Number(process.argv[2] ?? 1_000_000);
const PER_ENVELOPE = 2000;
const SENDERS = 4;
const RUNS = 20;
const USERS = 100_000;
const now = Date.now();

function envelopeBody(first, count) {
  const platform = first % 4000 < 2000 ? 'crashfree.node' : 'sentry.javascript.browser';
  const lines = [JSON.stringify({ sdk: { name: platform, version: '0.1.0' } })];
  for (let s = first; s < first + count; s++) {
    const release = s % 3 === 0 ? '1.1.0' : '1.0.0';
    const environment = s % 10 === 0 ? 'staging' : 'production';
    const started = new Date(now - ((s * 7919) % 82_800_000)).toISOString(); // within the last 23 h
    const base = { sid: `s${s}`, did: `u${(s * 31) % USERS}`, started, attrs: { release, environment } };
    const crashed = release === '1.1.0' ? s % 50 === 0 : s % 500 === 1;
    lines.push('{"type":"session"}', JSON.stringify({ ...base, init: true, seq: 0, status: 'ok', errors: 0 }));
    lines.push('{"type":"session"}', JSON.stringify({ ...base, seq: 1, status: crashed ? 'crashed' : 'exited', errors: 0, duration: 12 }));
  }
  return `${lines.join('\n')}\n`;
}

async function ingest(collector) {
  const u = new URL(collector.dsn);
  const url = `${collector.url}/api/1/envelope/`;
  const auth = `Sentry sentry_version=7, sentry_key=${u.username}`;
  const sessions = UPDATES / 2;
  const perEnvelope = PER_ENVELOPE / 2;
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < sessions) {
        const first = next;
        next += perEnvelope;
        const res = await fetch(url, { method: 'POST', headers: { 'X-Sentry-Auth': auth }, body: envelopeBody(first, Math.min(perEnvelope, sessions - first)) });
        if (res.status !== 200) throw new Error(`ingest refused: ${res.status} ${await res.text()}`);
      }
    }),
  );
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function time(fn, runs) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}

/** The anchor: totals per release from a full scan of stored items. */
function naiveTotals(collector) {
  const latest = new Map();
  for (const item of collector.items({ type: 'session' })) {
    const p = item.payload;
    const prev = latest.get(p.sid);
    if (!prev || p.seq > prev.seq) latest.set(p.sid, p);
  }
  const byRelease = new Map();
  for (const p of latest.values()) {
    const r = byRelease.get(p.attrs.release) ?? { sessions: 0, crashed: 0, users: new Set(), crashedUsers: new Set() };
    r.sessions++;
    r.users.add(p.did);
    if (p.status === 'crashed') {
      r.crashed++;
      r.crashedUsers.add(p.did);
    }
    byRelease.set(p.attrs.release, r);
  }
  return byRelease;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rh-bench-'));
const collector = await startCollector({ port: 0, dataDir, log: () => {} });
const get = async (q, retry = true) => {
  // A keep-alive socket idle past the server's timeout (the anchor blocks this
  // loop for seconds) can be reset as it is reused: retry once on a fresh one.
  const res = await fetch(`${collector.url}/api/0/organizations/bench/sessions/?${q}`, { headers: { Authorization: `Bearer ${collector.token}` } }).catch((error) => {
    if (retry) return null;
    throw error;
  });
  if (res === null) return get(q, false);
  return check200(q, res);
};
const check200 = async (q, res) => {
  if (res.status !== 200) throw new Error(`${q}: ${res.status} ${await res.text()}`);
  return res.json();
};
try {
  await get('field=sum(session)'); // creates the index before ingest: it is then fed by subscription
  const t0 = performance.now();
  await ingest(collector);
  const ingestS = (performance.now() - t0) / 1000;
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`ingested ${UPDATES} session updates in ${UPDATES / PER_ENVELOPE} envelopes of ${PER_ENVELOPE} items over HTTP in ${ingestS.toFixed(1)} s (${Math.round(UPDATES / ingestS)} updates/s incl. fsync); process RSS ${rss.toFixed(0)} MiB`);

  const shapes = [
    ['totals by release, 24h (page table)', 'field=sum(session)&field=count_unique(user)&field=crash_free_rate(session)&field=crash_free_rate(user)&groupBy=release&statsPeriod=24h&interval=1d'],
    ['gate query: one release, 24h', 'field=sum(session)&field=count_unique(user)&field=crash_free_rate(session)&field=crash_free_rate(user)&query=release:1.1.0&environment=production&statsPeriod=24h&interval=1d'],
    ['hourly series by release × environment', 'field=sum(session)&field=crash_free_rate(session)&groupBy=release&groupBy=environment&statsPeriod=24h&interval=1h'],
    ['sessions by status and release, no users', 'field=sum(session)&groupBy=session.status&groupBy=release&statsPeriod=24h'],
  ];
  const check = await get(shapes[0][1]);
  const naive = naiveTotals(collector);
  for (const g of check.groups) {
    const n = naive.get(g.by.release);
    if (g.totals['sum(session)'] !== n.sessions || g.totals['count_unique(user)'] !== n.users.size) {
      throw new Error(`index and naive scan disagree for ${g.by.release}: ${JSON.stringify(g.totals)} vs ${n.sessions}/${n.users.size}`);
    }
  }
  const anchor = await time(async () => naiveTotals(collector), 3);
  console.log('\nquery                                      | sessions API (index, over HTTP) p50 / p95 ms | anchor: naive full scan of stored items p50 ms');
  for (const [name, q] of shapes) {
    const t = await time(() => get(q), RUNS);
    console.log(`${name.padEnd(42)} | ${`${t.p50.toFixed(1)} / ${t.p95.toFixed(1)}`.padStart(44)} | ${anchor.p50.toFixed(0).padStart(10)}`);
  }
  console.log(`\nresults agree with the naive scan: ${check.groups.map((g) => `${g.by.release} ${g.totals['sum(session)']} sessions, crash-free ${(g.totals['crash_free_rate(session)'] * 100).toFixed(2)}%`).join('; ')}`);
} finally {
  await collector.close();
  await rm(dataDir, { recursive: true, force: true });
}

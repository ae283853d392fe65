#!/usr/bin/env node
// Native crash capture costs, each figure beside its anchor measured in the
// same run (run after a build: `node bench/native-crash.mjs`):
//  1. crash -> process exit with the minidump written, p50 and p90: Node in
//     Crashpad mode and in in-process mode against the same Node crash with no
//     handler; a minimal C client driving the same core and handler against
//     the same C crash with no handler (budgets: Crashpad <= 10 ms median,
//     in-process <= 2 ms over the anchor);
//  2. where the time goes inside the signal handler (its own stamps in the record:
//     record_us = record + handler launch + faulting module, which overlaps the
//     handler's start; crashpad_us = launch -> report complete in pending/);
//  3. init cost of native capture (install()) against loading the addon (budget <= 2 ms);
//  4. extra processes while healthy (budget 0), against before install.
// Every mode is measured the same way: the crashing process prints
// CLOCK_MONOTONIC right before the crash, the parent reads it when its 'exit'
// event fires (parent and child share that clock). Modes are interleaved so
// load on the machine spreads over all of them. BENCH_RUNS (default 31) per mode.
// On a shared machine each sample waits (up to 1 s) for a 100 ms window in which
// the CPUs were >= 90% idle, so other people's work does not land in the figures;
// the bench says how many samples had to wait and how many never got a quiet window.
// BENCH_BASELINE_NATIVE=<dir of another native/ build>[,<dir>...] adds their
// Crashpad mode side by side (A/B of a change on the same machine and in the same run).
// BENCH_JSON=<file> also appends every sample as one JSON line (to pool runs made at different times).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const require = createRequire(path.join(nativeDir, 'package.json'));
const HANDLER = '/usr/lib/chromium/chrome_crashpad_handler';
const RUNS = Number(process.env.BENCH_RUNS ?? 31);
const BASELINES = (process.env.BENCH_BASELINE_NATIVE ?? '').split(',').filter(Boolean);

function crasherPath() {
  const build = path.join(nativeDir, 'build', 'crasher');
  const out = path.join(build, 'crasher.node');
  if (!existsSync(out)) {
    const include = require('node-api-headers').include_dir;
    execFileSync('cmake', ['-S', path.join(nativeDir, 'test', 'crasher'), '-B', build, `-DNODE_API_INCLUDE=${include}`, '-DCMAKE_BUILD_TYPE=RelWithDebInfo'], { stdio: 'ignore' });
    execFileSync('cmake', ['--build', build], { stdio: 'ignore' });
  }
  return out;
}

// A minimal C client: the same core and handler in a one-thread C process,
// printing CLOCK_MONOTONIC before it crashes. Without a handler path it
// installs nothing (its own anchor).
const C_CLIENT = `#include "cf_crash.h"
#include <stdio.h>
#include <time.h>
int main(int argc, char **argv) {
  char rec[512], dmp[512], db[512];
  snprintf(rec, sizeof rec, "%s/record", argv[1]); snprintf(dmp, sizeof dmp, "%s/inprocess.dmp", argv[1]);
  snprintf(db, sizeof db, "%s/crashpad", argv[1]);
  cf_options o = {.record_path = rec, .minidump_path = dmp, .handler_path = argc > 2 ? argv[2] : 0, .database_dir = db};
  if (argc > 2 && !cf_install(&o).installed) return 3;
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  printf("crash %lld\\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec); fflush(stdout);
  *(volatile int *)0 = 1;
  return 0;
}
`;

function cClientPath() {
  const dir = path.join(nativeDir, 'build', 'bench');
  const out = path.join(dir, 'c-client');
  // The crash core exactly as the addon build made it (whatever files it is made of).
  const core = path.join(nativeDir, 'build', 'addon', 'libcrashfree_core.a');
  if (!existsSync(core)) throw new Error(`${core} is missing: build @crashfree/native first`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'c-client.c'), C_CLIENT);
  execFileSync('cc', ['-O2', '-std=gnu11', `-I${path.join(nativeDir, 'src', 'core')}`, path.join(dir, 'c-client.c'), core, '-o', out]);
  return out;
}

// ---- child side -------------------------------------------------------------
async function child(mode, dir) {
  const t0 = process.hrtime.bigint();
  const { load } = createRequire(path.join(process.env.BENCH_NATIVE_DIR ?? nativeDir, 'package.json'))('./lib/index.js');
  const loaded = load();
  if (!loaded.ok) throw new Error(loaded.reason);
  const t1 = process.hrtime.bigint();
  const before = childCount();
  if (mode !== 'none') {
    const s = loaded.addon.install({
      recordPath: path.join(dir, 'record'),
      minidumpPath: path.join(dir, 'inprocess.dmp'),
      ...(mode === 'crashpad' && { handlerPath: HANDLER, databaseDir: path.join(dir, 'crashpad') }),
    });
    if (s.mode !== mode) throw new Error(`installed ${s.mode}, wanted ${mode}: ${s.reason}`);
  }
  const t2 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, 50)); // anything spawned at install would show by now
  const after = childCount();
  const crasher = require(process.env.BENCH_CRASHER);
  process.stdout.write(`${JSON.stringify({ loadUs: Number(t1 - t0) / 1e3, installUs: Number(t2 - t1) / 1e3, before, after })}\n`);
  process.stdout.write(`crash ${process.hrtime.bigint()}\n`);
  crasher.crash('null-deref');
}

function childCount() {
  let n = 0;
  for (const t of readdirSync(`/proc/${process.pid}/task`)) {
    const kids = readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8').trim();
    if (kids) n += kids.split(/\s+/).length;
  }
  return n;
}

// ---- parent side ------------------------------------------------------------
// mode: none | inprocess | crashpad | baseline<i> (crashpad with the i-th BENCH_BASELINE_NATIVE) | c-none | c-crashpad
function runOnce(mode, crasher, cClient) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-bench-native-'));
  const isC = mode.startsWith('c-');
  const baseline = mode.startsWith('baseline') ? BASELINES[Number(mode.slice(8))] : undefined;
  const childMode = baseline ? 'crashpad' : mode;
  const wantsDump = mode !== 'none' && mode !== 'c-none';
  return new Promise((resolve, reject) => {
    const [cmd, args] = isC
      ? [cClient, mode === 'c-crashpad' ? [dir, HANDLER] : [dir]]
      : [process.execPath, [fileURLToPath(import.meta.url), 'child', childMode, dir]];
    const p = spawn(cmd, args, {
      env: { ...process.env, BENCH_CRASHER: crasher, ...(baseline && { BENCH_NATIVE_DIR: baseline }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code, signal) => {
      const end = process.hrtime.bigint();
      const crashAt = /crash (\d+)/.exec(out);
      const info = isC ? {} : JSON.parse(out.split('\n')[0] || '{}');
      const pending = path.join(dir, 'crashpad', 'pending');
      const dumped = !wantsDump || existsSync(path.join(dir, 'inprocess.dmp')) || (existsSync(pending) && readdirSync(pending).some((f) => f.endsWith('.dmp')));
      // The handler's own timings (CLOCK_MONOTONIC, recorded in the crash record).
      const record = wantsDump ? readFileSync(path.join(dir, 'record'), 'utf8') : '';
      const us = (k) => Number(new RegExp(`^${k}=(\\d+)$`, 'm').exec(record)?.[1] ?? 0);
      const timings = { recordUs: us('record_us'), crashpadUs: us('crashpad_us'), execUs: us('crashpad_exec_us'), inprocessUs: us('inprocess_us') };
      rmSync(dir, { recursive: true, force: true });
      if (signal !== 'SIGSEGV' || !crashAt || !dumped) return reject(new Error(`${mode}: exit ${code ?? signal}, dumped=${dumped}\n${out}`));
      resolve({ ms: Number(end - BigInt(crashAt[1])) / 1e6, ...timings, ...info });
    });
  });
}

// Share of CPU time the machine spent idle (all CPUs), from /proc/stat.
function cpuTimes() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = f.map(Number);
  return { idle: n[3] + n[4], total: n.reduce((a, b) => a + b, 0) };
}

// Waits for a 100 ms window with the CPUs >= 90% idle (at most 1 s). 'quiet' at
// once, 'waited' after busy windows, or 'busy' if none came.
async function quietWindow() {
  for (let i = 0; i < 10; i++) {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 100));
    const b = cpuTimes();
    if (b.total > a.total && (b.idle - a.idle) / (b.total - a.total) >= 0.9) return i === 0 ? 'quiet' : 'waited';
  }
  return 'busy';
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const p50 = (xs) => quantile(xs, 0.5);
const ms = (x) => `${x.toFixed(2)} ms`.padStart(9);
const col = (xs) => `p50 ${ms(p50(xs))}  p90 ${ms(quantile(xs, 0.9))}`;

async function main() {
  if (process.argv[2] === 'child') return child(process.argv[3], process.argv[4]);
  const crasher = crasherPath();
  const cClient = cClientPath();
  const baselineModes = BASELINES.map((_, i) => `baseline${i}`);
  const modes = ['none', 'inprocess', 'crashpad', ...baselineModes, 'c-none', 'c-crashpad'];
  const results = Object.fromEntries(modes.map((m) => [m, []]));
  const cpu0 = cpuTimes();
  const gate = { quiet: 0, waited: 0, busy: 0 };
  for (let i = 0; i < RUNS; i++) {
    for (const m of modes) {
      gate[await quietWindow()]++;
      results[m].push(await runOnce(m, crasher, cClient)); // interleaved
    }
  }
  if (process.env.BENCH_JSON) appendFileSync(process.env.BENCH_JSON, `${JSON.stringify({ at: new Date().toISOString(), load: os.loadavg(), results })}\n`);
  const e2e = (m) => results[m].map((r) => r.ms);
  const anchor = p50(e2e('none'));
  const cAnchor = p50(e2e('c-none'));
  const cpu1 = cpuTimes();
  const idle = (100 * (cpu1.idle - cpu0.idle)) / (cpu1.total - cpu0.total);
  console.log(`native crash -> exit, minidump written (${RUNS} runs per mode, interleaved; ${os.cpus().length} CPUs, ${idle.toFixed(0)}% idle during the run; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  console.log(`  samples started in a quiet 100 ms window: ${gate.quiet} at once, ${gate.waited} after waiting, ${gate.busy} never quiet (taken anyway)`);
  console.log(`  Node, no handler (anchor)          ${col(e2e('none'))}`);
  console.log(`  Node, in-process                   ${col(e2e('inprocess'))}   +${ms(p50(e2e('inprocess')) - anchor)} over anchor (budget <= 2 ms)`);
  console.log(`  Node, Crashpad                     ${col(e2e('crashpad'))}   +${ms(p50(e2e('crashpad')) - anchor)} over anchor (budget <= 10 ms median)`);
  baselineModes.forEach((m, i) => console.log(`  Node, Crashpad, baseline ${i}         ${col(e2e(m))}   +${ms(p50(e2e(m)) - anchor)} over anchor (${BASELINES[i]})`));
  console.log(`  C client, no handler (anchor)      ${col(e2e('c-none'))}`);
  console.log(`  C client, Crashpad (same handler)  ${col(e2e('c-crashpad'))}   +${ms(p50(e2e('c-crashpad')) - cAnchor)} over anchor`);
  console.log(`time inside the signal handler (its own CLOCK_MONOTONIC stamps in the record)`);
  const f = (m, k) => results[m].map((r) => r[k] / 1000);
  console.log(`  in-process: record + minidump      ${col(results.inprocess.map((r) => (r.recordUs + r.inprocessUs) / 1000))}   (budget <= 2 ms)`);
  for (const m of ['crashpad', ...baselineModes, 'c-crashpad']) {
    console.log(`  ${m.padEnd(10)} record, launch, module  ${col(f(m, 'recordUs'))}`);
    console.log(`  ${''.padEnd(10)} launch -> report done  ${col(f(m, 'crashpadUs'))}`);
    console.log(`  ${''.padEnd(10)}   of which clone->exec ${col(f(m, 'execUs'))}`);
  }
  const all = [...results.inprocess, ...results.crashpad];
  console.log(`native capture init (median)`);
  console.log(`  load addon (anchor)        ${p50(all.map((r) => r.loadUs)).toFixed(0)} us`);
  console.log(`  install() in-process       ${p50(results.inprocess.map((r) => r.installUs)).toFixed(0)} us   (budget <= 2000 us)`);
  console.log(`  install() crashpad         ${p50(results.crashpad.map((r) => r.installUs)).toFixed(0)} us   (budget <= 2000 us)`);
  console.log(`extra processes while healthy`);
  console.log(`  before install (anchor)    ${Math.max(...all.map((r) => r.before))}`);
  console.log(`  after install (max)        ${Math.max(...all.map((r) => r.after))}   (budget 0)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

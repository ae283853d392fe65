#!/usr/bin/env node
// `pnpm demo`: the whole loop on one machine. Starts the embedded collector,
// runs two releases of a Node app with real traffic (1.0.0 healthy; 1.1.0
// whose native addon crashes for a slice of its users, plus one SIGKILLed
// run), relaunches the dead runs so their crashes upload on the next launch,
// records deploys, prints the release comparison and the gate's verdicts, and
// the page's URL. `--keep` leaves the collector running (`--port N` fixes its port). Every missing part
// is named, with what the demo did instead. Bounded: ~2 minutes at most.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEEP = process.argv.includes('--keep');
const portArg = process.argv.indexOf('--port');
const PORT = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const USERS = 24; // per release
const CRASH_SLICE = 4; // every fourth 1.1.0 user hits the crashing addon path
const ORG = 'demo';
const started = Date.now();
const notes = [];
/** Distinct stderr lines of the app runs, shown at the end (warnings the SDK printed). */
const appSaid = new Set();
const say = (line) => process.stdout.write(`${line}\n`);
const degrade = (part, instead) => {
  notes.push(`${part} — ${instead}`);
  say(`  ! ${part}; ${instead}`);
};

// The whole demo is bounded: a stuck part cannot hold a terminal forever.
const watchdog = setTimeout(() => {
  say(`demo: gave up after ${Math.round((Date.now() - started) / 1000)}s (a part did not finish in time)`);
  process.exit(1);
}, 150_000);

function need(file, what) {
  if (existsSync(path.join(ROOT, file))) return true;
  say(`demo: ${what} is not built (${file} missing); run \`pnpm build\` or \`bash scripts/setup.sh\``);
  return false;
}

/** Finds (or builds) the test-only crasher addon the native engineer ships under native/. */
function findCrasher(tmp) {
  const built = path.join(ROOT, 'native/build/crasher/crasher.node');
  if (existsSync(built)) return built;
  const source = path.join(ROOT, 'native/test/crasher');
  if (!existsSync(path.join(source, 'CMakeLists.txt'))) return null;
  const include = spawnSync(process.execPath, ['-p', "require('node-api-headers').include_dir"], { cwd: path.join(ROOT, 'native'), encoding: 'utf8' });
  if (include.status !== 0) return null;
  const out = path.join(tmp, 'crasher-build');
  for (const args of [['-S', source, '-B', out, `-DNODE_API_INCLUDE=${include.stdout.trim()}`], ['--build', out]]) {
    if (spawnSync('cmake', args, { encoding: 'utf8', timeout: 60_000 }).status !== 0) return null;
  }
  return existsSync(path.join(out, 'crasher.node')) ? path.join(out, 'crasher.node') : null;
}

/** Runs an app process until it prints `listening on URL`; resolves { url, child, exit }. */
function startApp(entry, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app did not print "listening on" within 15s: ${err.trim().slice(-300)}`));
    }, 15_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, exit, stderr: () => err });
      }
    });
    child.on('error', reject);
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${signal ?? code}) before listening: ${err.trim().slice(-300)}`));
    });
  });
}

async function get(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return res.text();
}

/** One user's run of one release: some requests, then exit, crash or SIGKILL. */
async function runUser(app, { release, user, dataDir, action, dsn, addon }) {
  // XDG_STATE_HOME: examples/node-app keeps the SDK's default data dir, so each device gets its own.
  const env = { CRASHFREE_DSN: dsn, CRASHFREE_RELEASE: release, CRASHFREE_ENVIRONMENT: 'production', PORT: '0', SESSION_MODE: 'application', DEMO_USER: user, DEMO_DATA_DIR: dataDir, XDG_STATE_HOME: dataDir };
  if (addon) env.DEMO_ADDON = addon;
  const run = await startApp(app, env);
  const work = app.endsWith(path.join('node-app', 'server.mjs')) ? '/' : '/work';
  for (let i = 0; i < 5; i++) await get(`${run.url}${work}`);
  // Let the init update reach the collector before the run's fate.
  await new Promise((r) => setTimeout(r, 300));
  if (action === 'kill') run.child.kill('SIGKILL');
  else await get(`${run.url}/${action === 'crash' ? 'crash' : 'exit'}`).catch(() => undefined);
  const guard = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
  const result = await run.exit;
  clearTimeout(guard);
  for (const line of run.stderr().split('\n')) if (line.trim()) appSaid.add(line.trim().slice(0, 240));
  return result;
}

/** Runs tasks with at most `n` at a time (two cores: keep it small). */
async function pool(tasks, n) {
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

/** The minimal envelope sender used when @crashfree/node is not built. */
async function sendSessionsDirectly(dsn, release, fates) {
  const u = new URL(dsn);
  const lines = [JSON.stringify({ sent_at: new Date().toISOString(), sdk: { name: 'crashfree.demo-fallback', version: '0.1.0' } })];
  fates.forEach((fate, i) => {
    const base = { sid: `${release}-${i}-${Date.now()}`, did: `user-${i}`, started: new Date().toISOString(), attrs: { release, environment: 'production' } };
    lines.push('{"type":"session"}', JSON.stringify({ ...base, init: true, seq: 0, status: 'ok' }));
    lines.push('{"type":"session"}', JSON.stringify({ ...base, seq: 1, status: fate === 'crash' ? 'crashed' : fate === 'kill' ? 'abnormal' : 'exited' }));
  });
  const res = await fetch(`${u.protocol}//${u.host}/api${u.pathname}/envelope/`, {
    method: 'POST',
    headers: { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${u.username}` },
    body: `${lines.join('\n')}\n`,
  });
  if (res.status !== 200) throw new Error(`collector refused the fallback envelope: ${res.status}`);
}

async function api(collector, pathAndQuery, init = {}) {
  const res = await fetch(`${collector.url}/api/0/organizations/${ORG}${pathAndQuery}`, {
    ...init,
    headers: { Authorization: `Bearer ${collector.token}`, 'Content-Type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${pathAndQuery}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Waits (bounded) until the collector's session count for `release` stops growing. */
async function settle(collector, release, expected) {
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const body = await api(collector, `/sessions/?field=sum(session)&statsPeriod=1h&query=release:${release}`);
    const n = body.groups[0]?.totals['sum(session)'] ?? 0;
    if (n >= expected && n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

/** Runs the gate CLI as a child (async: the collector answers from this process). */
function gate(collector, args) {
  const bin = path.join(ROOT, 'packages/release-health/bin/crashfree-gate.js');
  const common = ['--url', collector.url, '--org', ORG, '--token', collector.token, '--environment', 'production', '--min-sessions', '10', '--threshold', '99.5', '--max-drop', '0.5', '--poll', '1s', '--timeout', '15s', '--period', '1h'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...common, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.trim() });
    });
  });
}

async function main() {
  say('crashfree demo: two releases, real traffic, crashes uploaded on the next launch, one ship/halt verdict\n');
  if (!need('packages/collector/dist/esm/index.js', '@crashfree/collector') || !need('packages/release-health/dist/esm/cli.js', '@crashfree/release-health')) return 1;
  const { startCollector } = await import('@crashfree/collector');
  const { formatHealthTable } = await import('@crashfree/release-health');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'crashfree-demo-'));
  if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
    say(`demo: --port is "${process.argv[portArg + 1]}"; expected an integer from 0 to 65535`);
    return 3;
  }
  const collector = await startCollector({ port: PORT, dataDir: path.join(tmp, 'collector') });
  say(`collector: ${collector.url}  (data in ${collector.dataDir})`);

  // The parts built by others, checked now so the output says what ran.
  let app = path.join(ROOT, 'examples/demo/app.mjs');
  let nodeApp = path.join(ROOT, 'examples/node-app/server.mjs');
  if (existsSync(nodeApp)) {
    say('  examples/node-app runs the SIGKILLed process; examples/demo/app.mjs (same SDK) runs the users, as it adds what');
    say('  node-app lacks for this scenario: a user id per run and a native addon wrapped with wrapNativeAddon');
  } else {
    nodeApp = null;
    degrade('examples/node-app is not there yet', 'driving examples/demo/app.mjs (the same @crashfree/node SDK, a smaller app) for every run');
  }
  const sdkBuilt = existsSync(path.join(ROOT, 'packages/node/dist/esm/index.js'));
  if (!sdkBuilt) {
    degrade('@crashfree/node is not built', 'sending sessions with a minimal envelope sender instead of running the app (no real crash capture)');
    app = null;
  }
  const addon = app ? findCrasher(tmp) : null;
  if (app && !addon) degrade('the native crasher addon (native/test/crasher) could not be found or built', '1.1.0 crashes with a JS fatal error instead of a native one');

  const fates = (release) =>
    Array.from({ length: USERS }, (_, i) => (release === '1.0.0' ? 'exit' : i === USERS - 1 ? 'kill' : i % CRASH_SLICE === 0 ? 'crash' : 'exit'));
  const relaunches = [];
  for (const release of ['1.0.0', '1.1.0']) {
    await api(collector, `/releases/${release}/deploys/`, { method: 'POST', body: JSON.stringify({ environment: 'production', name: `${release} rollout` }) });
    const plan = fates(release);
    const crashes = plan.filter((f) => f === 'crash').length;
    say(`\n${release}: deployed; ${USERS} users run it${crashes ? ` — ${crashes} hit the crashing native call, 1 run is SIGKILLed` : ''}`);
    if (!app) {
      await sendSessionsDirectly(collector.dsn, release, plan);
      continue;
    }
    const results = await pool(
      plan.map((action, i) => () => {
        const user = { release, user: `user-${release}-${i}`, dataDir: path.join(tmp, 'devices', `${release}-${i}`), action, dsn: collector.dsn, addon };
        mkdirSync(user.dataDir, { recursive: true });
        user.app = action === 'kill' && nodeApp ? nodeApp : app;
        if (action !== 'exit') relaunches.push(user);
        return runUser(user.app, user);
      }),
      3,
    );
    const summary = results.map((r) => r.signal ?? `exit ${r.code}`);
    say(`  runs ended: ${Object.entries(summary.reduce((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {})).map(([k, v]) => `${v}× ${k}`).join(', ')}`);
  }
  if (app && relaunches.length) {
    say(`\nrelaunching the ${relaunches.length} dead runs: recovery uploads each crash (with its minidump) or abnormal end on the next start`);
    await pool(relaunches.map((u) => () => runUser(u.app, { ...u, action: 'exit' })), 3);
  }

  const expected = USERS + (app ? relaunches.length : 0);
  await settle(collector, '1.1.0', expected);
  const { rows } = await api(collector, '/crashfree/releases/?statsPeriod=1h');
  say('\nrelease comparison (last hour, production):');
  say(formatHealthTable(rows));
  const { crashes } = await api(collector, '/crashfree/crashes/?limit=100');
  const dumps = crashes.filter((c) => c.attachments.some((a) => a.type === 'event.minidump')).length;
  say(`\ncrash events received: ${crashes.length} (${dumps} with a minidump attachment)`);

  say('\ngate for 1.0.0 (no baseline):');
  const pass = await gate(collector, ['--release', '1.0.0']);
  say(pass.out.replace(/^/gm, '  '));
  say(`  -> exit ${pass.code}`);
  say('\ngate for 1.1.0 against 1.0.0:');
  const halt = await gate(collector, ['--release', '1.1.0', '--baseline', '1.0.0']);
  say(halt.out.replace(/^/gm, '  '));
  say(`  -> exit ${halt.code} (${halt.code === 1 ? 'halt: stop the rollout' : 'unexpected'})`);

  if (appSaid.size) say(`\nthe app runs printed (distinct stderr lines):\n${[...appSaid].slice(0, 10).map((l) => `  | ${l}`).join('\n')}`);
  say(`\npage: ${collector.url}/`);
  if (notes.length) say(`\nran with missing parts:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
  say(`demo finished in ${Math.round((Date.now() - started) / 1000)}s`);
  clearTimeout(watchdog);
  if (KEEP) {
    say(`\n--keep: the collector stays up at ${collector.url}/ (token ${collector.token}); Ctrl-C to stop`);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await collector.close();
  // Everything the demo wrote (collector data, the devices' SDK state) lived here.
  rmSync(tmp, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    say(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

/*
 * End to end under a real JS engine: a Metro production bundle of the
 * example app's modules (RN's babel preset, RN's real error-guard and console
 * polyfills) run by the Hermes CLI from `hermes-engine-cli`, launched several
 * times on one simulated device. The host platform (test/hermes/host) speaks
 * a line protocol on stdout; this harness applies the storage writes to the
 * device's persisted copy, feeds it back in on the next launch, and posts
 * the outgoing requests to a real collector on loopback.
 */
import type { Collector } from '@crashfree/collector';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helper shared with bench/rn-*.mjs
import { bundle, repoRoot } from './hermes/bundle.mjs';
import { collector, events, sessionUpdates } from './helpers.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const hermesBin = path.join(path.dirname(require.resolve('hermes-engine-cli/package.json')), 'linux64-bin/hermes');
const symbolicateBin = path.join(path.dirname(require.resolve('metro-symbolicate/package.json')), 'src/index.js');

type Message = Record<string, any> & { op: string };
interface LaunchResult {
  messages: Message[];
  requests: Message[];
  exit: Message | undefined;
}

let c: Collector;
let dir: string;
let bundlePath: string;
let mapPath: string;
let storage: Record<string, string> = {};
/** The native module's files (files/crashfree/kv/), for launches with `nativeSync`. */
let nativeFiles: Record<string, string> = {};
let clock = Date.now();

/** One app launch under Hermes; storage writes are applied to the device's copy as they are read. */
async function launch(state: Record<string, unknown>): Promise<LaunchResult> {
  const file = path.join(dir, 'launch.js');
  // One line of state before the bundle: stack lines are off by one, which symbolication accounts for.
  const prelude = `var __CF_HOST_STATE__ = ${JSON.stringify({ now: clock, dsn: c.dsn, release: 'example-rn@1.0.0+1', backgroundTimeoutMs: 30_000, storage, nativeFiles, ...state })};\n`;
  writeFileSync(file, prelude + readFileSync(bundlePath, 'utf8'));
  const { stdout } = await run(hermesBin, [file], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  const messages = stdout
    .split('\n')
    .filter((l) => l.startsWith('@@cf '))
    .map((l) => JSON.parse(l.slice(5)) as Message);
  for (const m of messages) {
    if (m.op === 'store.set') storage[m.key] = m.value;
    if (m.op === 'store.remove') delete storage[m.key];
    if (m.op === 'native.set') nativeFiles[m.key] = m.value;
    if (m.op === 'native.remove') delete nativeFiles[m.key];
  }
  const exit = messages.find((m) => m.op === 'exit');
  clock = (exit?.now ?? clock) + 5_000;
  return { messages, requests: messages.filter((m) => m.op === 'request'), exit };
}

/** Posts what the app sent to the collector; every request must be accepted. */
async function deliver(requests: Message[]): Promise<void> {
  for (const r of requests) {
    const body = r.bodyBase64 ? Buffer.from(r.bodyBase64, 'base64') : r.body;
    const res = await fetch(r.url, { method: 'POST', headers: r.headers, body });
    expect(res.status, `collector answer to ${r.url}`).toBeLessThan(300);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cf-hermes-'));
  const built = await bundle({ entry: path.join(repoRoot, 'packages/react-native/test/hermes/entry.js'), host: true });
  bundlePath = path.join(dir, 'bundle.js');
  mapPath = path.join(dir, 'bundle.js.map');
  writeFileSync(bundlePath, built.code);
  writeFileSync(mapPath, built.map);
  c = await collector();
}, 240_000);

afterAll(async () => {
  await c?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Hermes end to end', () => {
  it('an app SIGKILLed the instant init returned is counted abnormal with its did on the next launch (native blocking write)', async () => {
    storage = {};
    nativeFiles = {};
    const user = { id: 'rn-killed-user' };
    const killed = await launch({ nativeSync: true, killAfterInit: true, user });
    expect(killed.exit?.reason).toBe('killed');
    // Only the synchronous write made it: the start marker, in the native module's file, with the did.
    const marker = Object.entries(nativeFiles).find(([k]) => k.startsWith('session/'));
    expect(marker, 'start marker written before init returned').toBeDefined();
    const sid = JSON.parse(marker![1]).sid as string;
    expect(JSON.parse(marker![1])).toMatchObject({ sid, did: user.id, status: 'ok', initQueued: false });

    const next = await launch({ nativeSync: true, script: [{ flush: 2_000 }, { close: 2_000 }] });
    expect(next.messages.find((m) => m.op === 'ready')?.result).toMatchObject({ enabled: true, recovery: { abnormal: 1 } });
    await deliver(next.requests);
    const mine = sessionUpdates(c).filter((u) => u.sid === sid);
    expect(mine).toEqual([expect.objectContaining({ sid, init: true, status: 'abnormal', did: user.id })]);
    // Recovered and delivered: the marker file is gone with the session state.
    expect(Object.keys(nativeFiles).filter((k) => k === `session/${sid}`)).toEqual([]);
  });

  it('JS-only (AsyncStorage, no native module): the same kill leaves nothing, as the README says', async () => {
    storage = {};
    nativeFiles = {};
    const killed = await launch({ killAfterInit: true, user: { id: 'rn-js-only' } });
    expect(killed.exit?.reason).toBe('killed');
    expect(Object.keys(storage).filter((k) => k.includes('session/'))).toEqual([]);
    const next = await launch({ script: [{ close: 2_000 }] });
    expect(next.messages.find((m) => m.op === 'ready')?.result).toMatchObject({ recovery: { abnormal: 0 } });
    await deliver(next.requests);
  });

  it('a fatal error offline is persisted, sent on the next launch as a crashed session with its event, once, and symbolicates', async () => {
    // Launch 1, offline: a long background period, a handled error, an unhandled rejection, then the fatal press.
    const first = await launch({
      offline: true,
      script: [
        { appState: 'background' },
        { wait: 40_000 },
        { appState: 'active' },
        { press: 'reportHandled' },
        { press: 'refreshInBackground' },
        // Hermes reports an unhandled rejection after 2 s (the promise library's tracking delay).
        { wait: 2_500 },
        { press: 'openOrder' },
      ],
    });
    const ops = first.messages.map((m) => m.op);
    expect(first.exit?.reason).toBe('fatal');
    expect(first.requests).toEqual([]);
    const ready = first.messages.find((m) => m.op === 'ready')!;
    const sid1 = ready.sid as string;
    const crashKey = Object.keys(storage).find((k) => k.startsWith('@crashfree/crash/'));
    expect(crashKey).toBeDefined();
    const sid2 = crashKey!.slice('@crashfree/crash/'.length);
    expect(sid2).not.toBe(sid1);
    // The crash record was written before RN's handler (which ends the app) ran.
    const crashWrite = first.messages.findIndex((m) => m.op === 'store.set' && m.key === crashKey);
    expect(crashWrite).toBeGreaterThan(-1);
    expect(crashWrite).toBeLessThan(ops.indexOf('fatal'));

    // Launch 2, online: recovery and the persisted queue deliver everything.
    const second = await launch({ script: [{ flush: 2_000 }, { close: 2_000 }] });
    expect(second.messages.find((m) => m.op === 'ready')?.result).toMatchObject({ enabled: true, recovery: { crashed: 1 } });
    await deliver(second.requests);

    const updates = sessionUpdates(c);
    const s1 = updates.filter((u) => u.sid === sid1);
    expect(s1.filter((u) => u.init === true)).toHaveLength(1);
    expect(s1.at(-1)).toMatchObject({ status: 'exited', errors: 0 });
    // It ended when the app went to the background: the 40 s spent there are not in its duration.
    expect(s1.at(-1)!.duration).toBeLessThan(40);
    const s2 = updates.filter((u) => u.sid === sid2);
    expect(s2.filter((u) => u.init === true)).toHaveLength(1);
    expect(s2.filter((u) => u.status === 'crashed')).toHaveLength(1);
    expect(s2.find((u) => u.status === 'crashed')).toMatchObject({ errors: 2, attrs: { release: 'example-rn@1.0.0+1', environment: 'e2e' } });

    const fatal = events(c).find((e) => e.level === 'fatal');
    expect(fatal?.exception.values[0]).toMatchObject({
      type: 'TypeError',
      value: "Cannot read property 'amount' of undefined",
      mechanism: { type: 'onerror', handled: false },
    });
    expect(fatal?.contexts).toMatchObject({ os: { name: 'Android' }, react_native: { js_engine: 'hermes' } });
    expect(events(c).map((e) => e.exception.values[0].value).sort()).toEqual(
      ["Cannot read property 'amount' of undefined", 'JSON Parse error: Unexpected end of input', 'refresh failed: 503'].sort(),
    );

    // The minified frames map back to the example's source through metro-symbolicate.
    const frames = fatal!.exception.values[0].stacktrace.frames as { function: string; lineno: number; colno: number }[];
    const stack = frames
      .slice()
      .reverse()
      .map((f) => `    at ${f.function} (bundle.js:${f.lineno - 1}:${f.colno})`)
      .join('\n');
    const symbolicated = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [symbolicateBin, mapPath], { timeout: 60_000 }, (err, out) => (err ? reject(err) : resolve(out)));
      child.stdin!.end(stack);
    });
    // metro-symbolicate prints `file:line:original name`; the minifier inlined openOrder into its caller frame.
    const lines = symbolicated.trim().split('\n');
    expect(lines[0]).toMatch(/examples\/react-native\/src\/actions\.js:10:formatTotal\)$/);
    expect(symbolicated).toMatch(/packages\/react-native\/test\/hermes\/entry\.js:\d+:play\)/);

    // Launch 3: nothing is sent twice.
    const third = await launch({ script: [{ close: 2_000 }] });
    expect(third.messages.find((m) => m.op === 'ready')?.result).toMatchObject({ recovery: { crashed: 0, abnormal: 0 } });
    const resent = third.requests.filter((r) => /"status":"crashed"|"level":"fatal"/.test(r.body ?? ''));
    expect(resent).toEqual([]);
  }, 120_000);

  it('repeated launch crashes are sent before the app continues on the next launch, which starts in safe mode', async () => {
    storage = {}; // a fresh device
    for (let i = 0; i < 2; i++) {
      const crashed = await launch({ offline: true, script: [{ press: 'openOrder' }] });
      expect(crashed.exit?.reason).toBe('fatal');
    }
    expect(Object.keys(storage).filter((k) => k.startsWith('@crashfree/rn/launch-crash/'))).toHaveLength(2);
    const next = await launch({ script: [{ close: 2_000 }] });
    const ready = next.messages.findIndex((m) => m.op === 'ready');
    // The second launch already queued the first one's crashed session (recovered while offline), so this
    // launch recovers only the second's; the queue delivers both, each once.
    expect(next.messages[ready]?.result).toMatchObject({ previousLaunchCrashed: true, safeMode: true, recovery: { crashed: 1 } });
    // Both crash events left the app before `ready` let it continue.
    const fatalRequests = next.messages.slice(0, ready).filter((m) => m.op === 'request' && /"level":"fatal"/.test(m.body ?? ''));
    // Delivery is at-least-once (an offline launch re-queues what recovery found): ids are stable, the collector stores each once.
    const ids = new Set(fatalRequests.map((r) => JSON.parse(r.body.split('\n')[0]).event_id));
    expect(ids.size).toBe(2);
    await deliver(next.requests);
    const launchCrashes = events(c).filter((e) => e.tags?.launch_crash === 'yes');
    expect(launchCrashes).toHaveLength(2);
  }, 120_000);
});

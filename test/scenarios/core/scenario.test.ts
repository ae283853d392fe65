// A core client in a child process (scenario.mjs, built @crashfree/core)
// sends to a collector started here on port 0; assertions read the
// collector's inspection API over HTTP.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';

const SCENARIO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenario.mjs');
const OFFLINE_DSN = 'http://0123456789abcdef0123456789abcdef@127.0.0.1:1/1';

type Item = { type: string; headers: Record<string, unknown>; payload: Record<string, unknown> };

let collector: Collector;
let dataDir: string;
beforeEach(async () => {
  collector = await startCollector({ port: 0, log: () => undefined });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'crashfree-core-scenario-'));
});
afterEach(async () => {
  await collector.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the scenario in a child process; resolves with its exit code/signal and output (bounded: 30 s). */
function runScenario(mode: string, dsn = collector.dsn): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCENARIO, mode, dsn, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function items(type: string): Promise<Item[]> {
  const res = await fetch(`${collector.url}/api/0/crashfree/items?project=1&type=${type}`, { headers: { Authorization: `Bearer ${collector.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Item[] }).items;
}

const recovery = (stdout: string) => JSON.parse(stdout.split('\n')[0]!) as { started: string | null; recovery: Record<string, number> };

describe('core scenarios (child process → collector)', () => {
  it('a clean run: init, first-error update, exited with errors = 2, both events and the message', async () => {
    const run = await runScenario('session');
    expect(run.code, run.stderr).toBe(0);
    const sid = recovery(run.stdout).started;
    const sessions = (await items('session')).map((i) => i.payload);
    expect(sessions.map((s) => [s.sid, s.status, s.errors, s.init, s.seq])).toEqual([
      [sid, 'ok', 0, true, 0],
      [sid, 'ok', 1, false, 1],
      [sid, 'exited', 2, false, 2],
    ]);
    expect(sessions[0]!.attrs).toEqual({ release: 'scenario@1.0.0', environment: 'test' });
    const events = (await items('event')).map((i) => i.payload);
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.platform)).toEqual(['node', 'node', 'node']);
    expect(events.find((e) => e.message === 'hello from the scenario')?.level).toBe('warning');
  });

  it('an uncaught exception: crashed update and the fatal event are delivered before the process exits', async () => {
    const run = await runScenario('uncaught');
    expect(run.code).toBe(1);
    const sid = recovery(run.stdout).started;
    expect((await items('session')).map((i) => [i.payload.sid, i.payload.status])).toEqual([
      [sid, 'ok'],
      [sid, 'crashed'],
    ]);
    const [event] = (await items('event')).map((i) => i.payload);
    expect(event).toMatchObject({ level: 'fatal', release: 'scenario@1.0.0', exception: { values: [{ type: 'TypeError', value: 'unhandled in the scenario', mechanism: { handled: false } }] } });
  });

  it('an uncaught exception while offline is delivered by the next launch, once', async () => {
    const crashed = await runScenario('uncaught', OFFLINE_DSN);
    expect(crashed.code).toBe(1);
    const sid = recovery(crashed.stdout).started;
    expect(await items('session')).toEqual([]);
    const next = await runScenario('recover');
    expect(next.code, next.stderr).toBe(0);
    expect(recovery(next.stdout).recovery).toMatchObject({ crashed: 1, abnormal: 0, events: 1 });
    const old = (await items('session')).map((i) => i.payload).filter((s) => s.sid === sid);
    expect(old.map((s) => [s.status, s.init])).toEqual([
      ['ok', true],
      ['crashed', false],
    ]);
    expect((await items('event')).map((i) => i.payload.level)).toEqual(['fatal']);
    // A third launch finds nothing left to recover.
    const third = await runScenario('recover');
    expect(recovery(third.stdout).recovery).toMatchObject({ crashed: 0, abnormal: 0, events: 0 });
  });

  it('SIGKILL: the next launch ends the killed session abnormal with its error count', async () => {
    const killed = await runScenario('sigkill');
    expect(killed.signal).toBe('SIGKILL');
    const sid = recovery(killed.stdout).started;
    const next = await runScenario('recover');
    expect(next.code, next.stderr).toBe(0);
    expect(recovery(next.stdout).recovery).toMatchObject({ crashed: 0, abnormal: 1 });
    const old = (await items('session')).map((i) => i.payload).filter((s) => s.sid === sid);
    expect(old.map((s) => [s.status, s.errors, s.seq])).toEqual([
      ['ok', 0, 0],
      ['ok', 1, 1],
      ['abnormal', 1, 2],
    ]);
  });

  it('request mode: 20 requests, 4 errored, one aggregate', async () => {
    const run = await runScenario('request');
    expect(run.code, run.stderr).toBe(0);
    const aggregates = (await items('sessions')).map((i) => i.payload as { aggregates: Array<{ exited?: number; errored?: number; crashed?: number }> });
    const sum = aggregates.flatMap((a) => a.aggregates).reduce((t, b) => [t[0]! + (b.exited ?? 0), t[1]! + (b.errored ?? 0), t[2]! + (b.crashed ?? 0)], [0, 0, 0]);
    expect(sum).toEqual([16, 4, 0]);
    expect(await items('session')).toEqual([]);
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { population, sendSessions } from './envelopes.js';
import { runGateBin } from './gate-bin.js';

let collector: Collector;
let dataDir: string;

const gate = runGateBin;

const common = () => ['--url', collector.url, '--org', 'acme', '--token', collector.token, '--poll', '200ms', '--timeout', '20s'];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rh-gate-'));
  collector = await startCollector({ port: 0, dataDir });
  await sendSessions(collector.dsn, population('1.0.0', 1000, 2));
  await sendSessions(collector.dsn, population('1.1.0', 600, 12));
  await sendSessions(collector.dsn, population('2.0.0', 600, 0, 'n'));
  await sendSessions(collector.dsn, population('2.0.0', 100, 10, 'b'), 'sentry.javascript.browser');
});

afterAll(async () => {
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('crashfree-gate against a real collector', () => {
  it('passes a healthy release (exit 0) with a short table', async () => {
    const r = await gate([...common(), '--release', '1.0.0', '--min-sessions', '500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('crashfree-gate: PASS — release 1.0.0');
    expect(r.stdout).toMatch(/candidate\s+1\.0\.0\s+1000\s+99\.80%/);
  });

  it('halts 1.1.0 against its baseline (exit 1), prints JSON and runs --on-halt with the verdict in env', async () => {
    const out = path.join(dataDir, 'hook.json');
    const hook = `node -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" ${out}`;
    const r = await gate([...common(), '--release', '1.1.0', '--baseline', '1.0.0', '--environment', 'production', '--json', '--on-halt', hook, '--on-pass', 'exit 9']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.verdict).toBe('halt');
    expect(json.candidate).toMatchObject({ sample: 600, failures: 12, rate: 0.98 });
    expect(json.baseline).toMatchObject({ sample: 1000, failures: 2, rate: 0.998 });
    expect(json.deltaPoints).toBeCloseTo(-1.8, 10);
    expect(json.reason).toBe('crash-free sessions 98.00% < threshold 99.5%');
    const env = JSON.parse(await readFile(out, 'utf8'));
    expect(env).toMatchObject({
      CRASHFREE_GATE_VERDICT: 'halt',
      CRASHFREE_GATE_RELEASE: '1.1.0',
      CRASHFREE_GATE_BASELINE: '1.0.0',
      CRASHFREE_GATE_RATE: '98.0000',
      CRASHFREE_GATE_BASELINE_RATE: '99.8000',
      CRASHFREE_GATE_DELTA: '-1.8000',
    });
  });

  it('halts on the maximum drop even above the threshold', async () => {
    const r = await gate([...common(), '--release', '1.1.0', '--baseline', '1.0.0', '--threshold', '97', '--max-drop', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('reason: crash-free sessions dropped 1.80 points vs baseline (max 1)');
  });

  it('lets the worst platform decide with --per-platform', async () => {
    const overall = await gate([...common(), '--release', '2.0.0', '--threshold', '98', '--min-sessions', '50']);
    expect(overall.code).toBe(0); // 690/700 = 98.57% overall
    const r = await gate([...common(), '--release', '2.0.0', '--threshold', '98', '--min-sessions', '50', '--per-platform', '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.decidingSegment).toBe('browser');
    expect(json.reason).toBe('segment browser: crash-free sessions 90.00% < threshold 98%');
  });

  it('polls until the minimum sample arrives, then decides', async () => {
    const r = await gate([...common(), '--release', '3.0.0', '--min-sessions', '200'], {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await sendSessions(collector.dsn, population('3.0.0', 250, 0));
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('crashfree-gate: 3.0.0 has 0 sessions of 200 needed; next poll in 200ms');
    expect(r.stdout).toContain('PASS');
  });

  it('exits 2 with insufficient data at the timeout', async () => {
    const r = await gate(['--url', collector.url, '--org', 'acme', '--token', collector.token, '--release', '9.9.9', '--poll', '200ms', '--timeout', '1s', '--json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ verdict: 'insufficient-data', timedOut: true, reason: '0 sessions < minimum 500' });
    expect(json.polls).toBeGreaterThanOrEqual(2);
  });

  it('exits 3 for usage errors, a rejected token, an unreachable server and a failed --on-pass', async () => {
    const usage = await gate(['--url', collector.url, '--org', 'acme', '--token', 'x']);
    expect(usage.code).toBe(3);
    expect(usage.stderr).toContain('crashfree-gate: --release is required');
    const token = await gate(['--url', collector.url, '--org', 'acme', '--token', 'wrong', '--release', '1.0.0']);
    expect(token.code).toBe(3);
    expect(token.stderr).toContain('rejected the token (HTTP 401)');
    const down = await gate(['--url', 'http://127.0.0.1:9', '--org', 'acme', '--token', 't', '--release', '1.0.0']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach http://127.0.0.1:9');
    const hook = await gate([...common(), '--release', '1.0.0', '--on-pass', 'exit 4']);
    expect(hook.code).toBe(3);
    expect(hook.stderr).toContain('--on-pass command exited 4');
  });

  it('waits through a collector restart while polling, then decides', async () => {
    const { port } = collector;
    const r = await gate(['--url', collector.url, '--org', 'acme', '--token', collector.token, '--timeout', '20s', '--release', '4.0.0', '--min-sessions', '50', '--poll', '300ms'], {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await collector.close();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      collector = await startCollector({ port, dataDir });
      await sendSessions(collector.dsn, population('4.0.0', 60, 0));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`cannot reach http://127.0.0.1:${port}`);
    expect(r.stderr).toContain('retrying in 300ms');
    expect(r.stdout).toContain('PASS — release 4.0.0');
  });
});

/**
 * Short runs count exactly one session each: `init()` then
 * `await flush(); await close()` at once (the README's snippet), a
 * `--version`-style CLI that prints and returns (nothing keeps the loop
 * alive), and `process.exit(0)` right after init. Several of each on one data
 * dir, against a real collector on loopback: every run's session arrives
 * once, `exited`, with its did, and none is sent twice by a later launch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { launch, sessionsOf, settle, type Kind } from './harness';

let collector: Collector;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-short-runs-'));
beforeAll(async () => {
  collector = await startCollector({ port: 0, log: () => undefined });
});
afterAll(async () => {
  await collector?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function runs(name: string, kinds: Kind[]): Promise<void> {
  const release = `short@${name}`;
  const env = { CF_DSN: collector.dsn, CF_DATA_DIR: path.join(scratch, name) };
  const ledger: Array<{ sid: string | undefined; did: string }> = [];
  for (const [i, kind] of kinds.entries()) {
    const did = `${name}-user-${i}`;
    const r = await launch({ kind, delayMs: 0, did, userAt: i % 2 === 0 ? 'before' : 'after', release, env });
    expect(r.code, r.stderr).toBe(0);
    ledger.push({ sid: r.sid, did });
  }
  const done = (): boolean => ledger.every((e) => sessionsOf(collector, release).get(e.sid ?? '')?.status === 'exited');
  await settle(done, 15_000);
  const sessions = sessionsOf(collector, release);
  expect([...sessions.keys()].sort()).toEqual(ledger.map((e) => e.sid).sort());
  // One init each (at seq 0, or at seq 1 with the end when the run exited before its init was queued).
  for (const e of ledger) expect(sessions.get(e.sid ?? ''), e.did).toMatchObject({ status: 'exited', inits: expect.toSatisfy((s: Set<number>) => s.size === 1), dids: new Set([e.did]) });
}

describe('short runs (Node)', () => {
  it('init then flush() + close() at once: one exited session per run, with its did', () => runs('flush-close', ['short', 'short', 'short']));
  it('a --version CLI that prints and returns: one exited session per run', () => runs('version', ['version', 'version', 'version']));
  it('process.exit(0) right after init, then a --version run: each counted once (the exits on the next launch)', () => runs('exit-at-once', ['exit', 'exit', 'exit', 'version']));
});

// Next launch while another process over the same data dir is dying: its
// native crash must be collected in the same pass that ends its session, or
// that session is recovered `abnormal` with no crash event (seen under load).
//  - a zombie (dead, not yet reaped by its parent) is dead for native
//    collection, as it already is for session liveness;
//  - a live process whose handler already wrote its record is crashing right
//    now: collection waits (bounded) until it is gone, then delivers it.
// White-box over the seam module (it is not public API of @crashfree/node).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { collectNativeCrashes } from '../../packages/node/src/native/index';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-native-crashing-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = rest.slice(rest.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return undefined;
  }
}

/** A run directory owned by `pid`, with the record its signal handler writes first. */
function crashedRun(dataDir: string, pid: number, start: string): void {
  const dir = path.join(dataDir, 'native', `${pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'owner'), `${pid} ${start}\n`);
  writeFileSync(
    path.join(dir, 'record'),
    `crashfree_record=1\nsignal=11\nsignal_name=SIGSEGV\ncode=1\ncode_name=SEGV_MAPERR\nfault_address=0x0\npid=${pid}\ntid=${pid}\n` +
      `time_ms=${Date.now()}\nmode=crashpad\nrelease=dying@1\nsid=00112233445566778899aabbccddeeff\nannotations_torn=0\n`,
  );
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

const ctx = (dataDir: string, logs: string[]) => ({ dataDir, sdk: { name: 'test', version: '0' }, log: (m: string) => logs.push(m) });

describe('collecting a process that is dying right now', () => {
  it('treats a zombie (dead, not reaped) as dead and delivers its crash', async () => {
    // sh forks a short-lived child, then execs a sleep that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
      const start = procStat(pid)?.start ?? '';
      await until('the child to become a zombie', () => procStat(pid)?.state === 'Z');
      const dataDir = path.join(scratch, 'zombie');
      crashedRun(dataDir, pid, start);
      const crashes = await collectNativeCrashes(ctx(dataDir, []));
      expect(crashes.map((c) => c.sid)).toEqual(['00112233445566778899aabbccddeeff']);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('waits for a live process that already wrote its record, then delivers its crash', async () => {
    const dying = spawn('sleep', ['0.6'], { stdio: 'ignore' });
    const gone = new Promise((r) => dying.once('exit', r));
    const dataDir = path.join(scratch, 'live');
    crashedRun(dataDir, dying.pid!, procStat(dying.pid!)!.start);
    const began = Date.now();
    const crashes = await collectNativeCrashes(ctx(dataDir, []));
    await gone;
    expect(crashes.map((c) => c.event.release)).toEqual(['dying@1']);
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
  });

  it('gives up after its bound and leaves the run for the next launch, saying so', async () => {
    const stuck = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      const dataDir = path.join(scratch, 'stuck');
      crashedRun(dataDir, stuck.pid!, procStat(stuck.pid!)!.start);
      const logs: string[] = [];
      const crashes = await collectNativeCrashes({ ...ctx(dataDir, logs), handlerTimeoutMs: 100 });
      expect(crashes).toEqual([]);
      expect(logs.filter((l) => l.includes('still inside their crash handler after 2100 ms'))).toHaveLength(1);
    } finally {
      stuck.kill('SIGKILL');
    }
  });
});

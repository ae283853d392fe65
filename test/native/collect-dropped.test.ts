// Client reports for native crashes lost to the storage bound: next-launch
// collection tells its caller how many dead runs' crashes it deleted unsent,
// so they can be counted (recordDroppedEvent) instead of vanishing silently.
// White-box over the seam module (it is not public API of @crashfree/node).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { collectNativeCrashes, type NativeSetupContext } from '../../packages/node/src/native/index';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-native-dropped-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `count` crashed runs of a process that is gone, as the signal handler leaves them. */
function deadRuns(dataDir: string, count: number): void {
  const deadPid = spawnSync('true').pid;
  for (let i = 0; i < count; i++) {
    const dir = path.join(dataDir, 'native', `${deadPid}-${1_700_000_000_000 + i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'owner'), `${deadPid} 1\n`);
    writeFileSync(
      path.join(dir, 'record'),
      `crashfree_record=1\nsignal=11\nsignal_name=SIGSEGV\ncode=1\ncode_name=SEGV_MAPERR\nfault_address=0x0\npid=${deadPid}\n` +
        `tid=${deadPid}\ntime_ms=${1_700_000_000_000 + i}\nmode=inprocess\nrelease=r@${i}\nsid=\nannotations_torn=0\ndump=failed\n`,
    );
  }
}

function context(dataDir: string, onDropped: (n: number) => void, logs: string[]): NativeSetupContext {
  return { dataDir, sdk: { name: 'test', version: '0' }, log: (m) => logs.push(m), onDropped };
}

describe('native crashes dropped by the storage bound', () => {
  it('reports the 2 oldest of 22 crashed runs as dropped, once, and returns the other 20', async () => {
    const dataDir = path.join(scratch, 'over');
    deadRuns(dataDir, 22);
    const dropped: number[] = [];
    const logs: string[] = [];
    const crashes = await collectNativeCrashes(context(dataDir, (n) => dropped.push(n), logs));
    expect(dropped).toEqual([2]);
    expect(crashes.map((c) => c.event.release).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r@${i + 2}`).sort());
    expect(readdirSync(path.join(dataDir, 'native'))).toHaveLength(20);
  });

  it('reports nothing when every crashed run fits', async () => {
    const dataDir = path.join(scratch, 'within');
    deadRuns(dataDir, 3);
    const dropped: number[] = [];
    const crashes = await collectNativeCrashes(context(dataDir, (n) => dropped.push(n), []));
    expect(dropped).toEqual([]);
    expect(crashes).toHaveLength(3);
  });

  it('still returns the crashes when the callback throws, and says so once', async () => {
    const dataDir = path.join(scratch, 'throwing');
    deadRuns(dataDir, 21);
    const logs: string[] = [];
    const crashes = await collectNativeCrashes(context(dataDir, () => { throw new Error('boom'); }, logs));
    expect(crashes).toHaveLength(20);
    expect(logs.filter((l) => l.includes('counting 1 dropped native crash(es) failed: Error: boom'))).toHaveLength(1);
  });
});

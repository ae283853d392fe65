import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMarkerLiveness, createProcLiveness, readProcStartTime } from '../src/liveness.js';
import { withRecoveryClaims } from '../src/claim.js';

const dirs: string[] = [];
const track = (dir: string): string => (dirs.push(dir), dir);
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('liveness from /proc', () => {
  const liveness = createProcLiveness();

  it('knows its own run is alive', async () => {
    expect(await liveness.isAlive(liveness.owner())).toBe(true);
  });

  it('does not take a recycled pid (same pid, another start time) for the owner', async () => {
    const owner = { ...liveness.owner(), start: String(Number(readProcStartTime(process.pid)) - 1) };
    expect(await liveness.isAlive(owner)).toBe(false);
  });

  it('does not take a run from before a reboot for the owner', async () => {
    expect(await liveness.isAlive({ ...liveness.owner(), boot: 'another-boot' })).toBe(false);
  });

  it('sees an exited process as dead', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    const start = readProcStartTime(pid);
    await new Promise((resolve) => child.on('exit', resolve));
    expect(await liveness.isAlive({ ...liveness.owner(), pid, start: start ?? 'x' })).toBe(false);
  });

  it('rejects markers that are not its own shape', async () => {
    expect(await liveness.isAlive({ pid: 'x' })).toBe(false);
  });
});

describe('lock-file liveness (no /proc)', () => {
  it('is alive for its own run and for a live run with a fresh lock, not for stale locks or dead pids', async () => {
    const dir = track(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-live-')));
    const liveness = createMarkerLiveness(dir);
    expect(await liveness.isAlive(liveness.owner())).toBe(true);

    // Another run of a live process (the test runner's parent stands in) with a fresh lock.
    const other = '00000000-0000-4000-8000-000000000001';
    fs.writeFileSync(path.join(dir, `${other}.lock`), String(process.ppid));
    expect(await liveness.isAlive({ pid: process.ppid, run: other })).toBe(true);

    // The same run after its lock went stale (it stopped refreshing: killed, or its pid was recycled).
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, `${other}.lock`), old, old);
    expect(await liveness.isAlive({ pid: process.ppid, run: other })).toBe(false);

    // A fresh lock whose pid is gone.
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const gone = '00000000-0000-4000-8000-000000000002';
    fs.writeFileSync(path.join(dir, `${gone}.lock`), child.stdout);
    expect(await liveness.isAlive({ pid: Number(child.stdout), run: gone })).toBe(false);

    // No lock at all.
    expect(await liveness.isAlive({ pid: process.pid, run: '00000000-0000-4000-8000-000000000003' })).toBe(false);
  });
});

describe('recovery claims', () => {
  it('lets exactly one of many claimants recover a dead owner', async () => {
    const dir = track(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-claims-')));
    const dead = { pid: 1, start: 'gone', boot: 'b' };
    // Several processes' views of the same dead owner, each with its own identity.
    const claimants = Array.from({ length: 8 }, (_, i) =>
      withRecoveryClaims(
        {
          owner: () => ({ pid: 1000 + i, start: 's', boot: 'b' }),
          isAlive: async (o) => o.pid !== 1,
        },
        dir,
      ),
    );
    const answers = await Promise.all(claimants.map((c) => c.isAlive(dead)));
    expect(answers.filter((alive) => !alive)).toHaveLength(1);
    // The winner keeps its claim on a second look.
    const winner = answers.indexOf(false);
    expect(await claimants[winner]!.isAlive(dead)).toBe(false);
  });

  it('takes over the claim of a claimant that died', async () => {
    const dir = track(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-claims-')));
    const dead = { pid: 1, start: 'gone' };
    let firstAlive = true;
    const first = withRecoveryClaims({ owner: () => ({ pid: 2, start: 's' }), isAlive: async (o) => o.pid === 2 && firstAlive }, dir);
    const second = withRecoveryClaims({ owner: () => ({ pid: 3, start: 's' }), isAlive: async (o) => o.pid === 3 || (o.pid === 2 && firstAlive) }, dir);
    expect(await first.isAlive(dead)).toBe(false);
    expect(await second.isAlive(dead)).toBe(true);
    firstAlive = false;
    expect(await second.isAlive(dead)).toBe(false);
  });
});

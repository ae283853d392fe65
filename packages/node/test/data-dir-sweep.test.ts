// The settled-run sweep on its own: which claims, report metadata and temp
// files it removes, and which it must leave (a live holder's claim, a run's
// metadata while its process lives or while its fatal report waits).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProcLiveness } from '../src/liveness.js';
import { ownerKey, pruneSettledClaims, withRecoveryClaims } from '../src/claim.js';
import { removeSettledRunMeta } from '../src/fatal-report.js';

const dirs: string[] = [];
const scratch = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-sweep-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const inner = createProcLiveness();
/** The same pid with another start time: a run that is gone. */
const deadOwner = (n: number) => ({ ...inner.owner(), start: `gone-${n}` });
/** A pid that has exited (its child was reaped). */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('pruneSettledClaims', () => {
  it('removes claims whose holder ended, keeps its own and live holders, and dead claimants’ temp files', async () => {
    const dir = scratch();
    const write = (name: string, holder: object) => fs.writeFileSync(path.join(dir, name), JSON.stringify(holder));
    write(ownerKey(deadOwner(1)), deadOwner(2)); // held by a run that ended
    write(ownerKey(deadOwner(3)), inner.owner()); // held by this run
    write(`${ownerKey(deadOwner(4))}.new-${deadPid()}-abc`, deadOwner(5)); // a dead claimant's temp
    write(`${ownerKey(deadOwner(6))}.new-${process.pid}-abc`, inner.owner()); // a live claimant's temp
    expect(await pruneSettledClaims(dir, inner)).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual([ownerKey(deadOwner(3)), `${ownerKey(deadOwner(6))}.new-${process.pid}-abc`].sort());
  });

  it('a pruned claim is claimed again as before: the dead run goes to exactly one claimant', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, ownerKey(deadOwner(7))), JSON.stringify(deadOwner(8)));
    await pruneSettledClaims(dir, inner);
    const claiming = withRecoveryClaims(inner, dir);
    expect(await claiming.isAlive(deadOwner(7))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([ownerKey(deadOwner(7))]);
    // This run now holds it, so a second sweep leaves it.
    expect(await pruneSettledClaims(dir, inner)).toBe(0);
  });
});

describe('removeSettledRunMeta', () => {
  it('removes a dead run’s metadata without a report, keeps live runs’ and those a report still needs', async () => {
    const dir = scratch();
    const meta = (name: string, owner?: object) => fs.writeFileSync(path.join(dir, `meta-${name}.json`), JSON.stringify({ sid: name, ...(owner && { owner }) }));
    meta('dead', deadOwner(1));
    meta('live', inner.owner());
    meta('reported', deadOwner(2));
    fs.writeFileSync(path.join(dir, 'fatal-reported.json'), '{}');
    meta('claimed', deadOwner(3));
    fs.writeFileSync(path.join(dir, 'fatal-claimed.json.claimed-abc'), '{}');
    meta('ownerless-new');
    fs.writeFileSync(path.join(dir, `meta-x.json.tmp-${deadPid()}`), '{');
    expect(await removeSettledRunMeta(dir, inner)).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['fatal-claimed.json.claimed-abc', 'fatal-reported.json', 'meta-claimed.json', 'meta-live.json', 'meta-ownerless-new.json', 'meta-reported.json'].sort(),
    );
  });

  it('an ownerless metadata file (an older version’s) goes once it is an hour old', async () => {
    const dir = scratch();
    const file = path.join(dir, 'meta-old.json');
    fs.writeFileSync(file, JSON.stringify({ sid: 'old' }));
    const hourAgo = new Date(Date.now() - 3601_000);
    fs.utimesSync(file, hourAgo, hourAgo);
    expect(await removeSettledRunMeta(dir, inner)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

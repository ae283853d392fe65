/**
 * Exclusive recovery claims, so that cluster workers or many processes
 * starting at once over one data dir never recover (and send) the same dead
 * run's sessions twice. The core asks `isAlive(owner)` before recovering a
 * session; this wrapper answers "dead, and it is yours" to exactly one living
 * process: the one that created `<dir>/<owner hash>` with O_EXCL. Everyone
 * else sees the claim holder alive and leaves those sessions alone. A claim
 * whose holder died is taken over by renaming it away first (only one rename
 * of a path can succeed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Liveness, OwnerMarker } from '@crashfree/core';
import { ensurePrivateDir, FILE_MODE, pidGone } from './store.js';

const MAX_ATTEMPTS = 4;
const STALE_CLAIM_MS = 30 * 24 * 3600 * 1000;

/** A stable file name for an owner marker (key order does not matter). */
export function ownerKey(owner: OwnerMarker): string {
  const sorted = Object.keys(owner)
    .sort()
    .map((k) => [k, owner[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}

function sameOwner(a: OwnerMarker, b: OwnerMarker): boolean {
  return ownerKey(a) === ownerKey(b);
}

function readClaim(file: string): OwnerMarker | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as OwnerMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** Publishes a complete claim file or nothing: link(2) fails with EEXIST atomically, and never exposes a half-written file. */
function tryCreate(file: string, holder: OwnerMarker): boolean {
  const tmp = `${file}.new-${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, JSON.stringify(holder), { mode: FILE_MODE });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Wraps `inner` so that a dead owner is reported dead to one claimant only.
 * Claims are kept for the claimant's lifetime (its durable queue keeps
 * retrying what it recovered); claims older than 30 days are pruned.
 */
export function withRecoveryClaims(inner: Liveness, dir: string): Liveness {
  ensurePrivateDir(dir);
  pruneStaleClaims(dir);
  const self = inner.owner();

  return {
    owner: () => inner.owner(),
    async isAlive(owner) {
      if (await inner.isAlive(owner)) return true;
      const file = path.join(dir, ownerKey(owner));
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (tryCreate(file, self)) return false;
        const holder = readClaim(file);
        if (holder && sameOwner(holder, self)) return false;
        // A holder that is alive is recovering these sessions right now.
        if (holder && (await inner.isAlive(holder))) return true;
        // Holder dead (or claim half-written by a dying holder): take it over.
        const aside = `${file}.stale-${process.pid}-${attempt}`;
        try {
          fs.renameSync(file, aside);
          fs.rmSync(aside, { force: true });
        } catch {
          // Someone else moved it first; try to create again.
        }
      }
      // Lost every race: someone else is on it, so report the owner as handled.
      return true;
    },
  };
}

function pruneStaleClaims(dir: string): void {
  const now = Date.now();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_CLAIM_MS) fs.rmSync(file, { force: true });
    } catch {
      // Raced with another pruner.
    }
  }
}

/**
 * Removes the claims whose holder has ended, and the temp files of claimants
 * that died mid-claim. A claim only means something while its holder lives:
 * once the holder is gone, `isAlive` treats the claim as free and takes it
 * over, so removing it changes nothing but the file count. The claim is moved
 * aside before it is deleted, and put back if it turns out a live run took
 * it over in between. `inner` is the plain liveness (without claims). Never
 * throws.
 */
export async function pruneSettledClaims(dir: string, inner: Liveness): Promise<number> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  const self = inner.owner();
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    const temp = /\.(?:new|stale)-(\d+)-/.exec(name);
    try {
      if (temp) {
        if (pidGone(Number(temp[1]))) {
          fs.rmSync(file, { force: true });
          removed += 1;
        }
        continue;
      }
      const holder = readClaim(file);
      if (!holder || sameOwner(holder, self) || (await inner.isAlive(holder))) continue;
      const aside = `${file}.stale-${process.pid}-sweep`;
      fs.renameSync(file, aside);
      const moved = readClaim(aside);
      if (moved && !sameOwner(moved, holder)) {
        // A live run took the claim over between the read and the rename: give it back.
        try {
          fs.linkSync(aside, file);
        } catch {
          // Someone created a new claim meanwhile; theirs stands.
        }
      } else removed += 1;
      fs.rmSync(aside, { force: true });
    } catch {
      // Raced with a claimant or another sweeper; the next launch tries again.
    }
  }
  return removed;
}

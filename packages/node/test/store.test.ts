import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '@crashfree/core/testing';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileStore, decodeValue, encodeValue } from '../src/store.js';
import { createVisibility } from '../src/store-visibility.js';
import { withRecoveryClaims } from '../src/claim.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-store-'));
  dirs.push(dir);
  return dir;
}

function makeStore(warnings: string[] = []) {
  const root = tempDir();
  return { root, store: createFileStore({ dir: path.join(root, 'store'), quarantineDir: path.join(root, 'corrupt'), warn: (m) => warnings.push(m) }) };
}

runStoreContract('node file store', () => makeStore().store, { describe, it, expect });

describe('file store', () => {
  it('keeps strings and bytes apart and round-trips both', async () => {
    const { store } = makeStore();
    await store.set('queue/1', 'héllo');
    await store.set('queue/2', new Uint8Array([0, 1, 255]));
    expect(await store.get('queue/1')).toBe('héllo');
    expect(await store.get('queue/2')).toEqual(new Uint8Array([0, 1, 255]));
    expect(await store.keys('queue/')).toEqual(['queue/1', 'queue/2']);
  });

  it('writes the directories 0700 and the files 0600', async () => {
    const { root, store } = makeStore();
    await store.set('session/abc', '{}');
    store.setSync('crash/abc', '{}');
    expect(fs.statSync(path.join(root, 'store')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, 'store', 'session')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, 'store', 'session', 'abc')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(root, 'store', 'crash', 'abc')).mode & 0o777).toBe(0o600);
  });

  it('leaves no temp files behind and hides half-written ones from keys()', async () => {
    const { root, store } = makeStore();
    await store.set('queue/a', 'x');
    store.setSync('queue/b', 'y');
    fs.writeFileSync(path.join(root, 'store', 'queue', 'c.tmp-999-zz'), 'partial');
    expect(await store.keys()).toEqual(['queue/a', 'queue/b']);
    expect(fs.readdirSync(path.join(root, 'store', 'queue')).sort()).toEqual(['a', 'b', 'c.tmp-999-zz']);
  });

  it('skips a corrupt file with one warning, moves it aside and still returns the rest', async () => {
    const warnings: string[] = [];
    const { root, store } = makeStore(warnings);
    await store.set('queue/good', 'kept');
    await store.set('queue/truncated', 'a long enough value');
    const truncated = path.join(root, 'store', 'queue', 'truncated');
    fs.writeFileSync(truncated, fs.readFileSync(truncated).subarray(0, 20));
    fs.writeFileSync(path.join(root, 'store', 'queue', 'garbage'), 'not a crashfree file');

    expect(await store.get('queue/truncated')).toBeUndefined();
    expect(await store.get('queue/garbage')).toBeUndefined();
    expect(await store.get('queue/garbage')).toBeUndefined();
    expect(await store.get('queue/good')).toBe('kept');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('truncated');
    expect(await store.keys()).toEqual(['queue/good']);
    expect(fs.readdirSync(path.join(root, 'corrupt'))).toHaveLength(2);
  });

  it('detects a flipped byte through the checksum', () => {
    const bytes = Buffer.from(encodeValue('{"status":"ok"}'));
    bytes[bytes.length - 3] ^= 1;
    expect(decodeValue(bytes)).toEqual({ corrupt: 'checksum mismatch' });
  });

  it('sweeps temp files of dead writers and keeps those of live ones', async () => {
    const { root, store } = makeStore();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    await store.set('queue/a', 'x');
    const queueDir = path.join(root, 'store', 'queue');
    fs.writeFileSync(path.join(queueDir, `b.tmp-${dead}-zz`), 'half');
    fs.writeFileSync(path.join(queueDir, `c.tmp-${process.pid}-zz`), 'mine, in progress');
    await store.sweepTemps();
    expect(fs.readdirSync(queueDir).sort()).toEqual(['a', `c.tmp-${process.pid}-zz`]);
  });

  it('rejects keys that could escape the directory', async () => {
    const { store } = makeStore();
    await expect(store.set('../x', 'v')).rejects.toThrow(/invalid key/);
    await expect(store.set('a//b', 'v')).rejects.toThrow(/invalid key/);
  });

  it('deletes, and deleting a missing key is fine', async () => {
    const { store } = makeStore();
    await store.set('k', 'v');
    await store.delete('k');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  it('in sync mode, settles in-flight writes at once and works without event-loop turns', async () => {
    const { store } = makeStore();
    let settled = false;
    const inFlight = store.set('queue/pending', 'written before the crash').then(() => (settled = true));
    store.enterSyncMode();
    // Only microtasks from here on: no fs callback can have run.
    for (let i = 0; i < 5 && !settled; i++) await null;
    expect(settled).toBe(true);
    expect(store.getSync('queue/pending')).toBe('written before the crash');
    let keys: string[] = [];
    void store.keys().then((k) => (keys = k));
    await null;
    expect(keys).toEqual(['queue/pending']);
    await inFlight;
  });
});

describe('file store shared by several runs', () => {
  it('shows a run only its own files and those of dead runs it claimed', async () => {
    const root = tempDir();
    const alive = new Set([1, 2, 3]);
    const runStore = (pid: number) => {
      const liveness = withRecoveryClaims({ owner: () => ({ pid }), isAlive: async (o) => alive.has(o.pid as number) }, path.join(root, 'claims'));
      return createFileStore({ dir: path.join(root, 'store'), quarantineDir: path.join(root, 'corrupt'), warn: () => undefined, visibility: createVisibility(liveness) });
    };
    const [a, b, c] = [runStore(1), runStore(2), runStore(3)];
    await a.set('queue/from-a', 'a');
    await b.set('queue/from-b', 'b');
    expect(await a.keys('queue/')).toEqual(['queue/from-a']);
    expect(await b.keys('queue/')).toEqual(['queue/from-b']);

    alive.delete(1); // run 1 died with an envelope queued
    const [seenByB, seenByC] = await Promise.all([b.keys('queue/'), c.keys('queue/')]);
    // Exactly one survivor takes it over.
    expect([seenByB.includes('queue/from-a'), seenByC.includes('queue/from-a')].filter(Boolean)).toHaveLength(1);
    expect(seenByB).toContain('queue/from-b');
    expect(seenByC).not.toContain('queue/from-b');
  });
});

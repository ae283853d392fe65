// The file store's cheap synchronous write (appendSync, store-journal.ts):
// visible at once, on disk for the next launch after a SIGKILL right after
// the call, replayed exactly (torn tail ignored), and gone after a clean exit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileStore } from '../src/store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'store.ts');
let STORE = '';
// The child processes run the store's own source, bundled once.
beforeAll(() => {
  STORE = path.join(tempDir(), 'store.mjs');
  buildSync({ entryPoints: [SRC], bundle: true, platform: 'node', format: 'esm', outfile: STORE, logLevel: 'silent' });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-journal-'));
  dirs.push(dir);
  return dir;
}
const open = (root: string, warnings: string[] = []) =>
  createFileStore({ dir: path.join(root, 'store'), quarantineDir: path.join(root, 'corrupt'), warn: (m) => warnings.push(m) });

/** Runs `body` in a child process with `store` open on `root`, then SIGKILLs it (or lets it exit when `exit`). */
function child(root: string, body: string, exit = false) {
  const script = `import { createFileStore } from ${JSON.stringify(STORE)};
const store = createFileStore({ dir: ${JSON.stringify(path.join(root, 'store'))}, quarantineDir: ${JSON.stringify(path.join(root, 'corrupt'))}, warn: () => {} });
${body}
${exit ? 'process.exit(0);' : "process.kill(process.pid, 'SIGKILL');"}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('file store journal (appendSync)', () => {
  it('is visible at once to get and keys, and a later set or delete of the key wins', async () => {
    const store = open(tempDir());
    store.appendSync('queue/1', 'one');
    store.appendSync('queue/2', new Uint8Array([1, 2]));
    expect(await store.get('queue/1')).toBe('one');
    expect(await store.keys('queue/')).toEqual(['queue/1', 'queue/2']);
    await store.set('queue/1', 'uno');
    await store.delete('queue/2');
    expect(await store.get('queue/1')).toBe('uno');
    expect(await store.get('queue/2')).toBeUndefined();
    expect(await store.keys('queue/')).toEqual(['queue/1']);
  });

  it('survives a SIGKILL right after the call: the next launch replays it, deletes included, and removes the journal', async () => {
    const root = tempDir();
    const r = child(root, `store.appendSync('queue/a', 'alpha'); store.appendSync('queue/b', 'beta'); store.appendSync('session/s', 'v1'); store.appendSync('session/s', 'v2'); store.deleteSync('queue/b');`);
    expect(r.signal).toBe('SIGKILL');
    expect(fs.readdirSync(path.join(root, 'store')).some((n) => n.startsWith('.journal-'))).toBe(true);
    const store = open(root);
    expect(await store.keys('')).toEqual(['queue/a', 'session/s']);
    expect(await store.get('queue/a')).toBe('alpha');
    expect(await store.get('session/s')).toBe('v2');
    expect(fs.readdirSync(path.join(root, 'store')).filter((n) => n.startsWith('.journal-'))).toEqual([]);
  });

  it('ignores a torn last record (the process died inside the write)', async () => {
    const root = tempDir();
    child(root, `store.appendSync('queue/a', 'alpha'); store.appendSync('queue/b', 'beta');`);
    const dir = path.join(root, 'store');
    const journal = path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('.journal-'))!);
    fs.truncateSync(journal, fs.statSync(journal).size - 2);
    // The files the killed run may have written in the background are gone too: only the journal speaks.
    fs.rmSync(path.join(dir, 'queue'), { recursive: true, force: true });
    const store = open(root);
    expect(await store.keys('queue/')).toEqual(['queue/a']);
  });

  it('leaves no journal after a clean exit once its values reached their files', () => {
    const root = tempDir();
    const r = child(root, `store.appendSync('queue/a', 'alpha'); await new Promise((r) => setTimeout(r, 300));`, true);
    expect(r.status, r.stderr).toBe(0);
    const names = fs.readdirSync(path.join(root, 'store'));
    expect(names.filter((n) => n.startsWith('.journal-'))).toEqual([]);
    expect(names).toContain('queue');
  });
});

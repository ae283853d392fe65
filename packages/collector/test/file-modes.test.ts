// Every path the collector creates is private from the instant it exists:
// files 0600, directories 0700, whatever the umask. The fs calls that can
// create a path are wrapped (node:module's syncBuiltinESMExports carries the
// wrappers into the collector's named imports), so each new path is seen
// right after the call that made it, before any later chmod could hide a
// wide creation mode; transient ones (the compaction copy) included. Then
// the data dir is walked as a whole.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../src/index.js';
import { bearer, envelope, keyOf, post } from './helpers.js';

interface Created {
  path: string;
  mode: number;
  dir: boolean;
  via: string;
}

const created: Created[] = [];
let root = '';
const restore: Array<() => void> = [];
let oldUmask = 0;

/** True for paths this test watches: under the test's root, or a collector's own temp data dir. */
const watched = (p: string): boolean => {
  const abs = path.resolve(p);
  return (root !== '' && abs.startsWith(root)) || abs.includes(`${path.sep}crashfree-collector-`);
};

function note(p: unknown, via: string): void {
  if (typeof p !== 'string' && !(p instanceof URL)) return;
  const file = p instanceof URL ? p.pathname : p;
  if (!watched(file)) return;
  try {
    const st = fs.lstatSync(file);
    created.push({ path: path.resolve(file), mode: st.mode & 0o777, dir: st.isDirectory(), via });
  } catch {
    // already gone again
  }
}

/** The missing path and each missing parent, outermost first. */
function missing(dir: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) out.unshift(d);
  return out;
}

function wrap<T extends object, K extends keyof T>(obj: T, name: K, after: (args: unknown[], before: unknown) => void, before: (args: unknown[]) => unknown = () => undefined): void {
  const original = obj[name] as unknown as (...args: unknown[]) => unknown;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const state = before(args);
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      return result.then((value) => {
        after(args, state);
        return value;
      });
    }
    after(args, state);
    return result;
  };
  obj[name] = wrapped as unknown as T[K];
  restore.push(() => {
    obj[name] = original as unknown as T[K];
  });
}

beforeAll(async () => {
  root = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'cf-collector-modes-')));
  const existedBefore = (args: unknown[]) => typeof args[0] === 'string' && fs.existsSync(args[0]);
  const ifNew = (via: string) => (args: unknown[], existed: unknown) => {
    if (!existed) note(args[0], via);
  };
  for (const [obj, names] of [
    [fsp, ['open', 'writeFile', 'appendFile', 'copyFile', 'symlink', 'link']],
    [fs, ['openSync', 'writeFileSync', 'appendFileSync', 'copyFileSync', 'symlinkSync', 'linkSync']],
  ] as const) {
    for (const name of names) {
      if (name === 'copyFile' || name === 'copyFileSync' || name === 'symlink' || name === 'symlinkSync' || name === 'link' || name === 'linkSync') {
        wrap(obj as Record<string, unknown>, name, (args) => note(args[1], name));
      } else {
        wrap(obj as Record<string, unknown>, name, ifNew(name), existedBefore);
      }
    }
  }
  // mkdtemp answers the directory it made.
  const mkdtemp = fsp.mkdtemp;
  (fsp as { mkdtemp: unknown }).mkdtemp = async (...args: Parameters<typeof mkdtemp>) => {
    const dir = (await mkdtemp(...args)) as string;
    note(dir, 'mkdtemp');
    return dir;
  };
  restore.push(() => {
    (fsp as { mkdtemp: unknown }).mkdtemp = mkdtemp;
  });
  for (const [obj, name] of [
    [fsp, 'mkdir'],
    [fs, 'mkdirSync'],
  ] as const) {
    wrap(
      obj as Record<string, unknown>,
      name,
      (_args, before) => {
        for (const d of before as string[]) note(d, name);
      },
      (args) => (typeof args[0] === 'string' ? missing(args[0]) : []),
    );
  }
  const createWriteStream = fs.createWriteStream;
  fs.createWriteStream = ((file: fs.PathLike, options?: unknown) => {
    const stream = createWriteStream(file, options as never);
    stream.once('open', () => note(String(file), 'createWriteStream'));
    return stream;
  }) as typeof fs.createWriteStream;
  restore.push(() => {
    fs.createWriteStream = createWriteStream;
  });
  syncBuiltinESMExports();
  // The most permissive umask: any path created without an explicit private
  // mode would come out world-readable and writable.
  oldUmask = process.umask(0);
});

afterAll(async () => {
  process.umask(oldUmask);
  for (const undo of restore.splice(0).reverse()) undo();
  syncBuiltinESMExports();
  await fsp.rm(root, { recursive: true, force: true });
});

function minidumpForm(): { body: Buffer; type: string } {
  const boundary = 'cf-modes-boundary';
  const part = (headers: string, data: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(data), Buffer.from('\r\n')]);
  const body = Buffer.concat([
    part('Content-Disposition: form-data; name="sentry"', JSON.stringify({ release: 'r@1' })),
    part('Content-Disposition: form-data; name="upload_file_minidump"; filename="x.dmp"\r\nContent-Type: application/octet-stream', Buffer.concat([Buffer.from('MDMP'), Buffer.alloc(64, 1)])),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** Every path under `dir` (itself included) with its mode. */
async function walk(dir: string): Promise<Array<{ path: string; mode: number; dir: boolean }>> {
  const out = [];
  const st = await fsp.lstat(dir);
  out.push({ path: dir, mode: st.mode & 0o777, dir: st.isDirectory() });
  if (st.isDirectory()) for (const name of await fsp.readdir(dir)) out.push(...(await walk(path.join(dir, name))));
  return out;
}

const wrong = (list: Array<{ path: string; mode: number; dir: boolean }>) =>
  list.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600)).map((e) => `${e.path} ${e.mode.toString(8)}${'via' in e ? ` (${String(e.via)})` : ''}`);

describe('file modes', () => {
  it('creates every path 0600 / 0700 from its first write under umask 000: log, identity, lock, attachments, minidumps, deploys, the compaction copy, a restart', async () => {
    // Parents that do not exist yet are the collector's too.
    const dataDir = path.join(root, 'state', 'crashfree', 'data');
    const warnings: string[] = [];
    let c = await startCollector({ port: 0, dataDir, log: (l) => warnings.push(l), retention: { maxAgeMs: null, maxBytes: null } });
    for (let i = 0; i < 4; i++) {
      const id = `${i}`.repeat(32);
      const body = envelope({ event_id: id }, [
        [{ type: 'event' }, { event_id: id, level: 'error', release: 'r@1', message: `m${i}`, exception: { values: [{ type: 'E', value: `v${i}` }] } }],
        [{ type: 'attachment', filename: 'log.txt' }, Buffer.from(`attachment ${i}`)],
        [{ type: 'an-unknown-binary-item' }, Buffer.from([0xff, 0xfe, 0x00, i])],
      ]);
      expect((await post(c, body)).status).toBe(200);
    }
    const form = minidumpForm();
    const dump = await fetch(`${c.url}/api/1/minidump/?sentry_key=${keyOf(c)}`, { method: 'POST', headers: { 'Content-Type': form.type }, body: form.body });
    expect(dump.status).toBe(200);
    const store = await fetch(`${c.url}/api/1/store/?sentry_key=${keyOf(c)}`, { method: 'POST', body: JSON.stringify({ event_id: 'e'.repeat(32), message: 'legacy' }) });
    expect(store.status).toBe(200);
    const deploy = await fetch(`${c.url}/api/0/organizations/acme/releases/r@1/deploys/`, {
      method: 'POST',
      headers: { ...bearer(c), 'Content-Type': 'application/json' },
      body: JSON.stringify({ environment: 'production' }),
    });
    expect(deploy.status).toBe(201);
    for (const route of ['sessions/?field=sum(session)&statsPeriod=1h', 'issues/', 'crashfree/crashes/', 'crashfree/releases/']) {
      expect((await fetch(`${c.url}/api/0/organizations/acme/${route}`, { headers: bearer(c) })).status, route).toBe(200);
    }
    await c.close();

    // Restart with a size limit that drops the oldest envelopes: the log is
    // rewritten through its compaction copy and attachment files are removed.
    const logBytes = (await fsp.stat(path.join(dataDir, 'items.log'))).size;
    c = await startCollector({ port: 0, dataDir, log: (l) => warnings.push(l), retention: { maxAgeMs: null, maxBytes: Math.floor(logBytes / 2) } });
    expect(created.some((e) => e.path.endsWith('items.log.compact')), 'the compaction copy was seen').toBe(true);
    expect((await post(c, envelope({}, [[{ type: 'attachment', filename: 'after.txt' }, Buffer.from('after restart')]]))).status).toBe(200);
    await c.close();

    const names = new Set(created.map((e) => path.relative(root, e.path)));
    for (const expected of ['state', 'state/crashfree', 'state/crashfree/data', 'state/crashfree/data/items.log', 'state/crashfree/data/attachments', 'state/crashfree/data/collector.lock', 'state/crashfree/data/deploys.jsonl', 'state/crashfree/data/items.log.compact']) {
      expect(names, expected).toContain(expected);
    }
    // The identity is written to a temporary name and renamed into place.
    expect([...names].some((n) => /^state\/crashfree\/data\/collector\.json\.\d+\.tmp$/.test(n)), [...names].join(' ')).toBe(true);
    expect(created.filter((e) => e.path.includes('/attachments/')).length).toBeGreaterThanOrEqual(10);
    expect(wrong(created)).toEqual([]);
    expect(wrong(await walk(path.join(root, 'state')))).toEqual([]);
  });

  it('makes the temporary data dir of a collector started without one private too', async () => {
    const c = await startCollector({ port: 0, log: () => undefined });
    expect((await post(c, envelope({}, [[{ type: 'attachment', filename: 'a.txt' }, Buffer.from('x')]]))).status).toBe(200);
    expect(wrong(await walk(c.dataDir))).toEqual([]);
    await c.close();
    expect(wrong(created.filter((e) => e.path.startsWith(c.dataDir)))).toEqual([]);
    expect(created.some((e) => e.path === c.dataDir)).toBe(true);
  });

  it('takes back the modes an older collector left wide open, on start', async () => {
    const dataDir = path.join(root, 'old');
    let c = await startCollector({ port: 0, dataDir, log: () => undefined });
    expect((await post(c, envelope({}, [[{ type: 'attachment', filename: 'a.txt' }, Buffer.from('x')]]))).status).toBe(200);
    await fsp.writeFile(path.join(dataDir, 'deploys.jsonl'), '');
    await c.close();
    for (const e of await walk(dataDir)) await fsp.chmod(e.path, e.dir ? 0o755 : 0o644);
    c = await startCollector({ port: 0, dataDir, log: () => undefined });
    expect(wrong(await walk(dataDir))).toEqual([]);
    await c.close();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startCollector, type Collector } from '../src/index.js';
import { openStorage } from '../src/storage/storage.js';
import { parseEnvelope } from '../src/envelope.js';
import { prepareEnvelope } from '../src/prepare.js';
import { envelope, EVENT_ID, inspect, post, sampleEnvelope } from './helpers.js';

const dirs: string[] = [];
const open: Collector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cf-collector-dur-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string, warnings: string[] = []) {
  const c = await startCollector({ port: 0, dataDir, log: (l) => warnings.push(l) });
  open.push(c);
  return c;
}

async function stop(c: Collector) {
  open.splice(open.indexOf(c), 1);
  await c.close();
}

function session(sid: string, seq: number, status: string, extra: Record<string, unknown> = {}) {
  return envelope({ sent_at: new Date().toISOString() }, [
    [{ type: 'session' }, { sid, seq, init: seq === 0, status, errors: 0, started: '2026-01-01T00:00:00Z', timestamp: `2026-01-01T00:00:0${seq}Z`, attrs: { release: 'r@1' }, ...extra }],
  ]);
}

describe('durability', () => {
  it('keeps every item, attachment, key and token across a restart on the same data dir', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    expect((await post(first, sampleEnvelope())).status).toBe(200);
    const dump = Buffer.from('MDMP minidump bytes');
    const withDump = envelope({ event_id: 'd'.repeat(32) }, [
      [{ type: 'event' }, { event_id: 'd'.repeat(32), level: 'fatal' }],
      [{ type: 'attachment', filename: 'x.dmp', attachment_type: 'event.minidump' }, dump],
    ]);
    expect((await post(first, withDump)).status).toBe(200);
    const before = await inspect(first);
    const { dsn, token } = first;
    await stop(first);

    const second = await start(dataDir);
    expect(new URL(second.dsn).username).toBe(new URL(dsn).username);
    expect(second.token).toBe(token);
    const after = await inspect(second);
    expect(after).toEqual(before);
    const [att] = await inspect(second, 'attachment');
    expect(await readFile(att!['attachment'].path)).toEqual(dump);
    // the old DSN's key still authenticates
    expect((await post(second, session('e'.repeat(32), 0, 'ok'))).status).toBe(200);
    expect(await inspect(second, 'session')).toHaveLength(2);
  });

  it('dedupes events by event_id and session updates by sid+seq, also across restarts', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    const sid = 'f'.repeat(32);
    await post(first, sampleEnvelope());
    await post(first, sampleEnvelope()); // a retry of the same envelope
    await post(first, session(sid, 0, 'ok'));
    await post(first, session(sid, 1, 'exited'));
    await post(first, session(sid, 1, 'exited'));
    // same event id with dashes and upper case is the same event
    const dashed = EVENT_ID.toUpperCase().replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
    expect((await post(first, envelope({}, [[{ type: 'event' }, { event_id: dashed }]]))).status).toBe(200);
    expect(await inspect(first, 'event')).toHaveLength(1);
    expect((await inspect(first, 'session')).map((s) => `${s['payload'].sid.slice(0, 1)}:${s['payload'].seq}`)).toEqual(['b:0', 'f:0', 'f:1']);
    await stop(first);

    const second = await start(dataDir);
    expect((await post(second, sampleEnvelope())).status).toBe(200);
    expect((await post(second, session(sid, 1, 'exited'))).status).toBe(200);
    expect((await post(second, session(sid, 2, 'crashed'))).status).toBe(200);
    expect(await inspect(second, 'event')).toHaveLength(1);
    expect((await inspect(second, 'session')).map((s) => s['payload'].status)).toEqual(['ok', 'ok', 'exited', 'crashed']);
  });

  it('dedupes request-mode aggregates by crashfree_aggregate_id, also across restarts; aggregates without one are all kept', async () => {
    const dataDir = await tempDir();
    const aggregate = (id: string | undefined, exited: number) =>
      envelope({ sent_at: new Date().toISOString(), ...(id !== undefined && { crashfree_aggregate_id: id }) }, [
        [{ type: 'sessions' }, { attrs: { release: 'api@1', environment: 'production' }, aggregates: [{ started: '2026-01-01T00:00:00.000Z', exited }] }],
      ]);
    const total = async (c: Collector) => (await inspect(c, 'sessions')).reduce((t, i) => t + i['payload'].aggregates[0].exited, 0);
    const first = await start(dataDir);
    expect((await post(first, aggregate('1'.repeat(32), 7))).status).toBe(200);
    expect((await post(first, aggregate('1'.repeat(32), 7))).status).toBe(200); // the resend after a lost 200
    expect((await post(first, aggregate('2'.repeat(32), 5))).status).toBe(200);
    expect((await post(first, aggregate(undefined, 3))).status).toBe(200);
    expect((await post(first, aggregate(undefined, 3))).status).toBe(200);
    expect(await total(first)).toBe(7 + 5 + 3 + 3);
    await stop(first);

    const second = await start(dataDir);
    expect((await post(second, aggregate('1'.repeat(32), 7))).status).toBe(200); // a next-launch recovery resending the same flush
    expect((await post(second, aggregate('2'.repeat(32), 4))).status).toBe(200); // a stale snapshot of a flush already stored: first wins
    expect(await total(second)).toBe(7 + 5 + 3 + 3);
  });

  it('stores a concurrent burst of identical retries once', async () => {
    const c = await start(await tempDir());
    const results = await Promise.all(Array.from({ length: 20 }, () => post(c, sampleEnvelope())));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await inspect(c, 'event')).toHaveLength(1);
    expect(await inspect(c, 'session')).toHaveLength(1);
  });

  it('dedupes a recovered crash re-sent with its minidump, keeping one attachment', async () => {
    const c = await start(await tempDir());
    const crash = () =>
      envelope({ event_id: '1'.repeat(32) }, [
        [{ type: 'event' }, { event_id: '1'.repeat(32), level: 'fatal' }],
        [{ type: 'attachment', filename: 'c.dmp', attachment_type: 'event.minidump' }, Buffer.from('dump')],
      ]);
    await post(c, crash());
    await post(c, crash());
    expect(await inspect(c, 'attachment')).toHaveLength(1);
  });

  it('skips a torn last record with one warning, keeps the rest, and appends after it', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await post(first, sampleEnvelope());
    await post(first, session('9'.repeat(32), 0, 'ok'));
    await stop(first);
    const log = path.join(dataDir, 'items.log');
    const intact = (await stat(log)).size;
    // A crash mid-append: a header announcing 500 bytes, 11 of them written.
    const torn = Buffer.alloc(8 + 11, 0x7b);
    torn.writeUInt32LE(500, 0);
    await appendFile(log, torn);

    const warnings: string[] = [];
    const second = await start(dataDir, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('torn write');
    expect((await stat(log)).size).toBe(intact);
    expect(await inspect(second)).toHaveLength(3);
    await post(second, session('9'.repeat(32), 1, 'exited'));
    await stop(second);

    const third = await start(dataDir, warnings);
    expect(warnings).toHaveLength(1);
    expect((await inspect(third, 'session')).map((s) => s['payload'].status)).toEqual(['ok', 'ok', 'exited']);
  });

  it('removes attachment files that no record names (a crash between file and record), keeping the named ones', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await post(first, envelope({ event_id: EVENT_ID }, [[{ type: 'attachment', filename: 'kept.txt' }, Buffer.from('kept')]]));
    await stop(first);
    await writeFile(path.join(dataDir, 'attachments', 'f'.repeat(32)), 'orphan');
    const warnings: string[] = [];
    const second = await start(dataDir, warnings);
    expect(warnings).toEqual([expect.stringContaining('removed 1 attachment file(s) of envelopes never committed')]);
    expect(await readdir(path.join(dataDir, 'attachments'))).toHaveLength(1);
    const [att] = await inspect(second, 'attachment');
    expect(await readFile(att!['attachment'].path, 'utf8')).toBe('kept');
  });

  it('skips a record with a bad checksum in the middle with one warning and keeps the others', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    for (let i = 0; i < 3; i++) await post(first, session(String(i).repeat(32), 0, 'ok'));
    await stop(first);
    const log = path.join(dataDir, 'items.log');
    const data = await readFile(log);
    const firstLength = data.readUInt32LE(0);
    // flip a byte inside the second record's body
    data[8 + firstLength + 8 + 5] ^= 0xff;
    await writeFile(log, data);
    const warnings: string[] = [];
    const second = await start(dataDir, warnings);
    expect(warnings).toEqual([expect.stringContaining('skipped 1 record(s) with a bad checksum')]);
    expect((await inspect(second, 'session')).map((s) => s['payload'].sid[0])).toEqual(['0', '2']);
  });

  it('notifies subscribers only after an item is durable, and survives a throwing one', async () => {
    const dataDir = await tempDir();
    const warnings: string[] = [];
    const storage = await openStorage(dataDir, (l) => warnings.push(l));
    const seen: Array<{ type: string; onDisk: boolean }> = [];
    storage.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = storage.subscribe((item) => {
      seen.push({ type: item.type, onDisk: readFileSync(path.join(dataDir, 'items.log')).includes('"sid":"55') });
    });
    const prepared = prepareEnvelope('1', parseEnvelope(session('5'.repeat(32), 0, 'ok')));
    expect(await storage.commit(prepared, Date.now())).toEqual({ stored: 1, duplicates: 0 });
    expect(seen).toEqual([{ type: 'session', onDisk: true }]);
    expect(warnings).toEqual([expect.stringContaining('listener bug')]);
    expect(await storage.commit(prepared, Date.now())).toEqual({ stored: 0, duplicates: 1 });
    unsubscribe();
    await storage.commit(prepareEnvelope('1', parseEnvelope(session('5'.repeat(32), 1, 'exited'))), Date.now());
    expect(seen).toHaveLength(1);
    expect(storage.items({ type: 'session' })).toHaveLength(2);
    await storage.close();
  });

  it('refuses a second collector on a data dir in use, and takes over a lock left by a dead process', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await expect(startCollector({ port: 0, dataDir })).rejects.toThrow(`data dir ${dataDir} is in use by process ${process.pid}`);
    await stop(first);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(path.join(dataDir, 'collector.lock'), `${dead.stdout.toString()}\n`);
    const second = await start(dataDir);
    expect((await post(second, sampleEnvelope())).status).toBe(200);
  });
});

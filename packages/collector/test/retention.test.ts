// Retention over real HTTP: the oldest envelopes go (whole, attachments
// with them) by size and by age, the log is compacted to what is kept,
// appends during a compaction survive, and a restart reads exactly what was
// kept. The CLI's retention flags: cli.test.ts.
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector, type CollectorOptions } from '../src/index.js';
import { envelope, post } from './helpers.js';

const dirs: string[] = [];
const open: Collector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cf-collector-retention-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string, retention: CollectorOptions['retention'], warnings: string[] = []) {
  const c = await startCollector({ port: 0, dataDir, log: (l) => warnings.push(l), retention });
  open.push(c);
  return c;
}

async function stop(c: Collector) {
  open.splice(open.indexOf(c), 1);
  await c.close();
}

const id = (n: number) => n.toString(16).padStart(32, '0');

/** Envelope n: an event of about 1 KiB plus a 1 KiB attachment. */
function crash(n: number) {
  return envelope({ event_id: id(n) }, [
    [{ type: 'event' }, { event_id: id(n), level: 'fatal', release: 'r@1', message: `crash ${n} ${'x'.repeat(1000)}` }],
    [{ type: 'attachment', filename: `dump${n}.dmp`, attachment_type: 'event.minidump' }, Buffer.alloc(1024, n % 256)],
  ]);
}

const eventIds = (c: Collector) => c.items({ type: 'event' }).map((i) => (i.payload as { event_id: string }).event_id);
const sizeOnDisk = async (dataDir: string) => {
  const names = await readdir(path.join(dataDir, 'attachments'));
  const files = await Promise.all(names.map((n) => stat(path.join(dataDir, 'attachments', n))));
  return (await stat(path.join(dataDir, 'items.log'))).size + files.reduce((t, s) => t + s.size, 0);
};

describe('retention', () => {
  it('drops the oldest whole envelopes past the size limit, attachment files with them, and a restart reads exactly what was kept', async () => {
    const dataDir = await tempDir();
    const limit = 20 * 1024;
    let c = await start(dataDir, { maxAgeMs: null, maxBytes: limit });
    for (let n = 0; n < 40; n++) expect((await post(c, crash(n))).status).toBe(200);
    await c.compact();
    const kept = eventIds(c);
    expect(kept.length).toBeGreaterThan(3);
    expect(kept.length).toBeLessThan(40);
    // The newest ones, in order, each with its attachment.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => id(40 - kept.length + i)));
    const attachments = c.items({ type: 'attachment' });
    expect(attachments.map((a) => a.attachment!.filename)).toEqual(kept.map((k) => `dump${parseInt(k, 16)}.dmp`));
    expect((await readdir(path.join(dataDir, 'attachments'))).sort()).toEqual(attachments.map((a) => path.basename(a.attachment!.path)).sort());
    expect(await sizeOnDisk(dataDir)).toBeLessThanOrEqual(limit);
    expect(c.stats().logBytes + c.stats().attachmentBytes).toBe(await sizeOnDisk(dataDir));
    // A resend of a kept event is still a duplicate.
    expect((await post(c, crash(39))).status).toBe(200);
    expect(eventIds(c)).toEqual(kept);
    const before = c.items();
    await stop(c);

    c = await start(dataDir, { maxAgeMs: null, maxBytes: limit });
    expect(c.items()).toEqual(before);
    expect((await post(c, crash(38))).status).toBe(200);
    expect(eventIds(c)).toEqual(kept);
    expect((await post(c, crash(100))).status).toBe(200);
    expect(eventIds(c).at(-1)).toBe(id(100));
  });

  it('compacts on its own as the store grows past the limit, without anyone asking', async () => {
    const dataDir = await tempDir();
    const limit = 16 * 1024;
    const c = await start(dataDir, { maxAgeMs: null, maxBytes: limit });
    for (let n = 0; n < 60; n++) expect((await post(c, crash(n))).status).toBe(200);
    // Compaction runs in the background once the store is 10 % over the limit.
    const deadline = Date.now() + 10_000;
    while (c.stats().logBytes + c.stats().attachmentBytes > limit * 1.1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(c.stats().logBytes + c.stats().attachmentBytes).toBeLessThanOrEqual(limit * 1.1 + 3 * crash(0).length);
    expect(eventIds(c).at(-1)).toBe(id(59));
    expect(eventIds(c)).not.toContain(id(0));
  });

  it('drops envelopes older than the age limit, at start and on its timer', async () => {
    const dataDir = await tempDir();
    let c = await start(dataDir, null);
    for (let n = 0; n < 5; n++) expect((await post(c, crash(n))).status).toBe(200);
    await stop(c);
    await new Promise((r) => setTimeout(r, 1200));

    // Started with a one-second age limit: the old ones go before it answers anything.
    c = await start(dataDir, { maxAgeMs: 1000, maxBytes: null });
    expect(eventIds(c)).toEqual([]);
    expect(await readdir(path.join(dataDir, 'attachments'))).toEqual([]);
    expect((await stat(path.join(dataDir, 'items.log'))).size).toBe(0);
    expect((await post(c, crash(10))).status).toBe(200);
    expect(eventIds(c)).toEqual([id(10)]);
    // The timer (a quarter of the age limit) takes it once it is a second old.
    const deadline = Date.now() + 10_000;
    while (eventIds(c).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(eventIds(c)).toEqual([]);
  });

  it('keeps every envelope appended while a compaction copies the log', async () => {
    const dataDir = await tempDir();
    const c = await start(dataDir, null);
    for (let n = 0; n < 300; n++) expect((await post(c, crash(n))).status).toBe(200);
    await stop(c);
    // Just under the limit at start; the burst pushes it over, so compactions
    // (the background one and an explicit one) copy while appends land.
    const limit = Math.ceil((await sizeOnDisk(dataDir)) * 1.02);
    const e = await start(dataDir, { maxAgeMs: null, maxBytes: limit });
    expect(eventIds(e)).toHaveLength(300);
    const sends = Array.from({ length: 60 }, (_, i) => post(e, crash(1000 + i)));
    const compactions = [e.compact(), new Promise((r) => setTimeout(r, 5)).then(() => e.compact())];
    const answers = await Promise.all(sends);
    await Promise.all(compactions);
    await e.compact();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const after = eventIds(e);
    expect(after.length).toBeLessThan(360);
    for (let i = 0; i < 60; i++) expect(after).toContain(id(1000 + i));
    expect(await sizeOnDisk(dataDir)).toBeLessThanOrEqual(limit);
    const items = e.items();
    await stop(e);
    const f = await start(dataDir, { maxAgeMs: null, maxBytes: limit });
    expect(f.items()).toEqual(items);
  });

  it('removes the copy of a compaction interrupted before its switch, keeping the log as it was', async () => {
    const dataDir = await tempDir();
    let c = await start(dataDir, null);
    for (let n = 0; n < 3; n++) expect((await post(c, crash(n))).status).toBe(200);
    const before = c.items();
    await stop(c);
    await writeFile(path.join(dataDir, 'items.log.compact'), Buffer.alloc(100, 0x7b));
    c = await start(dataDir, null);
    expect(c.items()).toEqual(before);
    expect(await readdir(dataDir)).not.toContain('items.log.compact');
  });

  it('refuses a wrong retention option naming it', async () => {
    await expect(startCollector({ port: 0, retention: { maxBytes: 0 } })).rejects.toThrow('option "retention.maxBytes" is 0 (number); expected a positive integer, or null for no limit');
    await expect(startCollector({ port: 0, retention: { maxAgeMs: '30d' as unknown as number } })).rejects.toThrow('option "retention.maxAgeMs" is "30d" (string)');
  });
});

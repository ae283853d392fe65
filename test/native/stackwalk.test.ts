/**
 * The collector stackwalks stored minidumps off the ingest path (issue 17):
 * a real native crash of a real process (the crash-matrix app crashing in the
 * wrapped crasher addon) reaches a real collector over loopback; once walked,
 * the event read back (`GET /api/0/crashfree/events/:id`) carries the
 * crashing thread's frames (the crasher's module + offset; no symbols were
 * uploaded) and the module list with the crasher's Breakpad debug id, in
 * Sentry's shapes. Hostile dumps (garbage, truncated, huge) are stored with
 * a 200 at once, walk to a failure with its reason, and never stop ingest; a
 * walker that hangs is killed at its time limit.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { buildCrasher, CRASHPAD_HANDLER, runApp } from './harness.js';

const require = createRequire(import.meta.url);
const SYMBOLS_BIN = path.resolve(import.meta.dirname, '../../packages/collector/bin/crashfree-symbols.js');
const DUMP_SYMS = path.join(path.dirname(require.resolve('minidump/package.json')), 'bin', 'linux-x64', 'dump_syms');

type Json = Record<string, any>;
let crasher: string;
let collector: Collector;
/** The real crash's minidump, as the first test stored it. */
let realDump: Buffer;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-stackwalk-'));

beforeAll(async () => {
  ({ crasher } = buildCrasher());
  collector = await startCollector({ port: 0, dataDir: path.join(scratch, 'collector') });
});
afterAll(async () => {
  await collector?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function readEvent(c: Collector, id: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${c.url}/api/0/crashfree/events/${id}/`, { headers: { Authorization: `Bearer ${c.token}` } });
  return { status: res.status, body: (await res.json()) as Json };
}

/** Posts a Crashpad-style minidump upload; resolves the event id the collector answered. */
async function uploadDump(c: Collector, bytes: Buffer): Promise<{ status: number; id: string; ms: number }> {
  const form = new FormData();
  form.append('sentry', JSON.stringify({ release: 'hostile@1' }));
  form.append('upload_file_minidump', new Blob([bytes]), 'hostile.dmp');
  const started = performance.now();
  const res = await fetch(`${c.url}/api/1/minidump/?sentry_key=${new URL(c.dsn).username}`, { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, id: text.replace(/[^0-9a-f]/gi, '').slice(-32).toLowerCase(), ms: performance.now() - started };
}

describe('stackwalking stored minidumps', () => {
  it("walks a real crash: the crashing thread's frames in the crasher module and its debug id", async () => {
    const dataDir = path.join(scratch, 'app');
    const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, CF_CRASHER: crasher, CF_HANDLER: CRASHPAD_HANDLER };
    const crash = await runApp(['crash', 'null-deref'], env);
    expect(crash.signal, crash.stderr).toBe('SIGSEGV');
    const next = await runApp(['recover'], env);
    expect(next.code, next.stderr).toBe(0);
    const event = collector.items({ type: 'event' }).find((e) => (e.payload as Json)['platform'] === 'native');
    expect(event, 'the native crash event').toBeDefined();
    const id = String((event!.payload as Json)['event_id']);
    realDump = readFileSync(collector.items({ type: 'attachment' }).find((a) => a.envelopeHeaders['event_id'] === id && a.attachment?.attachmentType === 'event.minidump')!.attachment!.path);

    await collector.stackwalkIdle();
    const { status, body } = await readEvent(collector, id);
    expect(status).toBe(200);
    expect(body['crashfree_stackwalk']).toMatchObject({ status: 'done' });
    expect(body['crashfree_native']['reason']).toMatch(/^SIGSEGV \/ ?SEGV_MAPERR$/);
    const frames = body['threads']['values'][0]['stacktrace']['frames'] as Json[];
    // Sentry orders frames outermost first: the crashing frame is the last one.
    const top = frames[frames.length - 1]!;
    expect(top['package']).toBe('crasher.node');
    expect(top['module_offset']).toMatch(/^0x[0-9a-f]+$/);
    expect(BigInt(top['instruction_addr'])).toBeGreaterThan(BigInt(top['module_offset']));
    const moduleLine = execFileSync(DUMP_SYMS, [crasher], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!;
    const debugId = moduleLine.split(' ')[3];
    const image = (body['debug_meta']['images'] as Json[]).find((i) => i['code_file'].endsWith('crasher.node'));
    expect(image).toMatchObject({ type: 'elf', debug_id: debugId });
    // The frame lies inside its image.
    const base = BigInt(image!['image_addr']);
    expect(BigInt(top['instruction_addr']) - base).toBe(BigInt(top['module_offset']));
    expect(Number(BigInt(top['module_offset']))).toBeLessThan(image!['image_size']);
    // No symbols yet: the frame is named by module and offset only.
    expect(top['function']).toBeUndefined();

    // Symbols uploaded after the crash name its frames from then on.
    const upload = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [SYMBOLS_BIN, 'upload', '--url', collector.url, '--token', collector.token, path.dirname(crasher)], (_e, stdout, stderr) =>
        resolve({ code: _e ? (_e as { code?: number }).code ?? 1 : 0, stdout, stderr }),
      ),
    );
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stdout).toContain(`uploaded crasher.node ${debugId}`);
    const named = (await readEvent(collector, id)).body['threads']['values'][0]['stacktrace']['frames'] as Json[];
    const crashing = named[named.length - 1]!;
    expect(crashing).toMatchObject({ function: 'crasher_null_deref', package: 'crasher.node' });
    expect(crashing['filename']).toMatch(/crasher\.c$/);
    const source = readFileSync(path.join(path.dirname(crashing['filename']), 'crasher.c'), 'utf8').split('\n');
    expect(source[crashing['lineno'] - 1]).toMatch(/NULL|\*/);
  });

  it('refuses what is not a symbol file, and an upload without the token', async () => {
    const put = (body: string, auth = true) =>
      fetch(`${collector.url}/api/0/crashfree/symbols/`, { method: 'PUT', headers: auth ? { Authorization: `Bearer ${collector.token}` } : {}, body });
    const bad = await put('hello');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json)['detail']).toMatch(/not a Breakpad symbol file/);
    expect((await put('MODULE Linux x86_64 00000000000000000000000000000000A ../../etc/passwd\n')).status).toBe(400);
    expect((await put('MODULE Linux x86_64 00000000000000000000000000000000A x.so\n', false)).status).toBe(401);
  });

  it('stores hostile dumps at once, walks them to a stated failure, and keeps ingesting', async () => {
    const real = realDump;
    expect(real, 'a real dump stored by the first test').toBeDefined();
    const garbage = Buffer.concat([Buffer.from('MDMP'), Buffer.alloc(4096, 0x41)]);
    const truncated = real.subarray(0, Math.floor(real.length / 3));
    // A header claiming a huge stream directory, then 20 MB of noise.
    const huge = Buffer.concat([Buffer.from('MDMP'), Buffer.from([0x93, 0xa7, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0x20, 0, 0, 0]), Buffer.alloc(20 << 20, 0xff)]);
    const uploads = [];
    for (const bytes of [garbage, truncated, huge]) uploads.push(await uploadDump(collector, bytes));
    for (const u of uploads) expect(u.status).toBe(200);
    // Ingest answered while the walks wait their turn: a session envelope is still taken at once.
    const sessions = collector.items({ type: 'session' }).length;
    const body = `${JSON.stringify({})}\n${JSON.stringify({ type: 'session' })}\n${JSON.stringify({ sid: 'f'.repeat(32), init: true, status: 'ok', seq: 0, started: new Date().toISOString(), attrs: { release: 'hostile@1' } })}\n`;
    const res = await fetch(`${collector.url}/api/1/envelope/?sentry_key=${new URL(collector.dsn).username}`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(collector.items({ type: 'session' }).length).toBe(sessions + 1);

    await collector.stackwalkIdle();
    for (const u of uploads) {
      const { status, body: ev } = await readEvent(collector, u.id);
      expect(status).toBe(200);
      const walk = ev['crashfree_stackwalk'];
      // Breakpad reads what it can: a failure says why, a partial walk is "done" with what it found.
      expect(['failed', 'done']).toContain(walk['status']);
      if (walk['status'] === 'failed') expect(walk['reason']).toMatch(/\w/);
    }
    expect(collector.stackwalkStats()).toMatchObject({ queued: 0, running: 0 });
  });

  it('kills a walk that runs away (CPU limit), and walks the next dump', async () => {
    // A stand-in for a stackwalker looping on one dump: it spins on the first call only.
    const tool = path.join(scratch, 'slow-stackwalk.sh');
    const flag = path.join(scratch, 'slow-once');
    const realTool = path.join(path.dirname(DUMP_SYMS), 'minidump_stackwalk');
    writeFileSync(tool, `#!/bin/sh\nif [ ! -e '${flag}' ]; then : > '${flag}'; while :; do :; done; fi\nexec '${realTool}' "$@"\n`);
    chmodSync(tool, 0o755);
    const slow = await startCollector({ port: 0, stackwalk: { tool, cpuSeconds: 1 } });
    try {
      const real = realDump;
      const first = await uploadDump(slow, real);
      const second = await uploadDump(slow, real);
      await slow.stackwalkIdle();
      expect((await readEvent(slow, first.id)).body['crashfree_stackwalk']).toEqual({ status: 'failed', reason: 'used more than 1 s of CPU' });
      expect((await readEvent(slow, second.id)).body['crashfree_stackwalk']).toMatchObject({ status: 'done' });
    } finally {
      await slow.close();
    }
  });

  it('answers 404 for an unknown event or a path that is no event id', async () => {
    expect((await readEvent(collector, '0'.repeat(32))).status).toBe(404);
    expect((await fetch(`${collector.url}/api/0/crashfree/events/zz${'0'.repeat(30)}/`, { headers: { Authorization: `Bearer ${collector.token}` } })).status).toBe(404);
  });
});

// Interop: the official @sentry/node 11.12.0, in a child process, sends to a
// real collector on loopback; the assertions read what the collector stored.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector, type Collector, type StoredItem } from '@crashfree/collector';

const APP = fileURLToPath(new URL('./fixtures/sentry-node-app.mjs', import.meta.url));

let collector: Collector | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await collector?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  collector = undefined;
  dataDir = undefined;
});

async function start() {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'cf-interop-node-'));
  collector = await startCollector({ port: 0, dataDir });
  return collector;
}

function runApp(dsn: string, mode: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [APP, mode], { env: { ...process.env, SENTRY_DSN: dsn }, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

type Payload = Record<string, any>;
const payloads = (items: StoredItem[]) => items.map((i) => i.payload as Payload);

describe('interop with @sentry/node 11.12.0', () => {
  it('stores its handled error, message and the process session ending exited with errors counted', async () => {
    const c = await start();
    const run = await runApp(c.dsn, 'handled');
    expect(run.code, run.stderr).toBe(0);

    const events = c.items({ type: 'event' });
    expect(events).toHaveLength(2);
    // Both events carry an exception (@sentry/node gives messages a synthetic stack): pick by value.
    const error = events.find((e) => (e.payload as Payload)['exception']?.values?.[0]?.value === 'interop handled error');
    expect(error?.payload).toMatchObject({
      release: 'interop-node@1.0.0',
      environment: 'interop',
      platform: 'node',
      exception: { values: [{ type: 'Error', value: 'interop handled error', stacktrace: { frames: expect.any(Array) } }] },
    });
    expect(error?.envelopeHeaders).toMatchObject({ event_id: (error?.payload as Payload)['event_id'], sdk: { name: 'sentry.javascript.node', version: '11.12.0' } });
    expect(events.map((e) => (e.payload as Payload)['message']).filter(Boolean)).toEqual(['interop message']);

    const sessions = payloads(c.items({ type: 'session' }));
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    const sids = new Set(sessions.map((s) => s['sid']));
    expect(sids.size).toBe(1);
    expect(sessions.filter((s) => s['init'] === true)).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ init: true, attrs: { release: 'interop-node@1.0.0', environment: 'interop' } });
    const last = sessions.at(-1)!;
    expect(last).toMatchObject({ status: 'exited', errors: 1, did: 'user-42' });
  });

  it('stores an uncaught exception as a fatal event and the session as crashed', async () => {
    const c = await start();
    const run = await runApp(c.dsn, 'crash');
    expect(run.code).not.toBe(0);

    const [event] = payloads(c.items({ type: 'event' }));
    expect(event).toMatchObject({
      level: 'fatal',
      exception: { values: [{ type: 'TypeError', value: 'interop uncaught crash', mechanism: { handled: false } }] },
    });
    const sessions = payloads(c.items({ type: 'session' }));
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    expect(sessions.at(-1)).toMatchObject({ status: 'crashed', attrs: { release: 'interop-node@1.0.0' } });
  });

  it('stores request-mode session aggregates from its HTTP server integration', async () => {
    const c = await start();
    const run = await runApp(c.dsn, 'requests');
    expect(run.code, run.stderr).toBe(0);
    const aggregates = payloads(c.items({ type: 'sessions' }));
    expect(aggregates.length).toBeGreaterThanOrEqual(1);
    const buckets = aggregates.flatMap((a) => a['aggregates'] as Payload[]);
    const sum = (k: string) => buckets.reduce((n, b) => n + (b[k] ?? 0), 0);
    expect({ exited: sum('exited'), errored: sum('errored'), crashed: sum('crashed') }).toEqual({ exited: 2, errored: 1, crashed: 0 });
    expect(aggregates[0]).toMatchObject({ attrs: { release: 'interop-node@1.0.0', environment: 'interop' } });
  });

  it('stores event.minidump and large (gzipped) attachments as files and the client report of an event beforeSend dropped', async () => {
    const c = await start();
    const run = await runApp(c.dsn, 'extras');
    expect(run.code, run.stderr).toBe(0);
    const [event] = c.items({ type: 'event' });
    expect(event?.payload).toMatchObject({ exception: { values: [{ value: 'with minidump' }] } });
    const [attachment, big] = c.items({ type: 'attachment' });
    expect(big?.attachment).toMatchObject({ filename: 'big.bin', size: 64 * 1024 });
    const expected = new Uint8Array(64 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
    expect(new Uint8Array(await readFile(big!.attachment!.path))).toEqual(expected);
    expect(attachment?.attachment).toMatchObject({ filename: 'crash.dmp', attachmentType: 'event.minidump', size: 8 });
    expect(attachment?.envelopeHeaders['event_id']).toBe((event?.payload as Payload)['event_id']);
    expect(await readFile(attachment!.attachment!.path)).toEqual(Buffer.from([0x4d, 0x44, 0x4d, 0x50, 0, 1, 2, 255]));
    const reports = payloads(c.items({ type: 'client_report' }));
    const discarded = reports.flatMap((r) => r['discarded_events'] as Payload[]);
    expect(discarded).toContainEqual({ reason: 'before_send', category: 'error', quantity: 1 });
  });
});

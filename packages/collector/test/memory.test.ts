// A long ingest run keeps the collector's memory flat: only the index of
// what is stored (tens of bytes an item) stays in memory, never the
// payloads. A real collector (the built dist/, as cli.test.ts uses) in a
// child process with --expose-gc, 300,000 items sent over loopback; its
// memory after a GC is read after a warm-up and at the end. The 1M-item
// figures are bench/collector-memory.mjs's.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/esm/index.js', import.meta.url));
const ITEMS_PER_ENVELOPE = 100;
const WARM_UP = 1000; // envelopes: 100,000 items, past the allocator's own warm-up
const TOTAL = 3000; // envelopes: 300,000 items
/** Growth allowed per item stored after the warm-up: the index is about 60 B an item; a payload kept in memory is several hundred. */
const HEAP_BYTES_PER_ITEM = 150;
const RSS_BYTES_PER_ITEM = 300;
const MiB = 1024 * 1024;
/** Peak RSS growth allowed while every item is read back through the inspection API. */
const READ_PEAK_BYTES = 40 * MiB;

/** VmHWM of a process (Linux): its peak resident set, in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]) * 1024;
}

/** GETs every stored item, counting bytes and items without keeping the answer. */
function readItems(url: string, token: string): Promise<{ bytes: number; count: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/0/crashfree/items?project=1`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      let count = 0;
      // Every item has exactly one "projectId" key; the carry (shorter than
      // the key) finds one split between two chunks.
      const KEY = '"projectId"';
      let carry = '';
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        const text = carry + d.toString('latin1');
        for (let at = text.indexOf(KEY); at !== -1; at = text.indexOf(KEY, at + 1)) count++;
        carry = text.slice(-(KEY.length - 1));
      });
      res.on('end', () => (res.statusCode === 200 ? resolve({ bytes, count }) : reject(new Error(`items answered ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  items: number;
}

const CHILD = `
const { startCollector } = await import(${JSON.stringify(pathToFileURL(DIST).href)});
const c = await startCollector({ port: 0, dataDir: process.argv[1], log: () => {}, retention: null });
process.on('message', async (m) => {
  if (m === 'mem') { globalThis.gc(); globalThis.gc(); const u = process.memoryUsage(); process.send({ mem: { rss: u.rss, heapUsed: u.heapUsed, external: u.external, items: c.stats ? c.stats().items : c.items().length } }); }
  if (m === 'stop') { await c.close(); process.exit(0); }
});
process.send({ url: c.url, key: new URL(c.dsn).username, token: c.token });
`;

let child: ChildProcess | undefined;
let dataDir = '';
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function next<T>(c: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (m[key] === undefined) return;
      c.off('message', onMessage);
      c.off('exit', onExit);
      resolve((key === 'url' ? m : m[key]) as T);
    };
    const onExit = (code: number | null) => reject(new Error(`collector child exited ${code}`));
    c.on('message', onMessage);
    c.once('exit', onExit);
  });
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** 20 error events and 80 session updates, every one with an id of its own. */
function makeEnvelope(n: number): Buffer {
  const lines = [JSON.stringify({ sent_at: '2026-12-07T00:00:00.000Z' })];
  for (let i = 0; i < ITEMS_PER_ENVELOPE; i++) {
    const id = hex(n, 24) + hex(i, 8);
    if (i < 20) {
      lines.push('{"type":"event"}', JSON.stringify({ event_id: id, level: 'error', release: 'r@1', exception: { values: [{ type: 'TypeError', value: `boom ${n % 97}` }] } }));
    } else {
      lines.push('{"type":"session"}', JSON.stringify({ sid: id, init: true, seq: 0, status: 'exited', errors: 0, started: '2026-12-07T00:00:00.000Z', attrs: { release: 'r@1' } }));
    }
  }
  return Buffer.from(lines.join('\n'));
}

async function send(url: string, key: string, from: number, to: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const target = new URL(`${url}/api/1/envelope/?sentry_key=${key}`);
  let nextEnvelope = from;
  let failures = 0;
  const sender = async () => {
    while (nextEnvelope < to) {
      const body = makeEnvelope(nextEnvelope++);
      const status = await new Promise<number>((resolve) => {
        const req = http.request(target, { method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      });
      if (status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
  agent.destroy();
  return failures;
}

describe('memory over a long ingest', () => {
  it(`stays flat: ${((TOTAL - WARM_UP) * ITEMS_PER_ENVELOPE).toLocaleString('en')} items after the warm-up grow heap and RSS by at most the index`, async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cf-collector-memory-'));
    child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD, dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { url, key, token } = await next<{ url: string; key: string; token: string }>(child, 'url');
    const memory = async () => {
      const answer = next<Memory>(child!, 'mem');
      child!.send('mem');
      return answer;
    };
    expect(await send(url, key, 0, WARM_UP)).toBe(0);
    const warm = await memory();
    expect(await send(url, key, WARM_UP, TOTAL)).toBe(0);
    const end = await memory();
    const items = (TOTAL - WARM_UP) * ITEMS_PER_ENVELOPE;
    const perItem = {
      heap: (end.heapUsed + end.external - (warm.heapUsed + warm.external)) / items,
      rss: (end.rss - warm.rss) / items,
    };
    const figures = `warm ${JSON.stringify(warm)} end ${JSON.stringify(end)} per item ${JSON.stringify(perItem)}`;
    expect(perItem.heap, figures).toBeLessThan(HEAP_BYTES_PER_ITEM);
    expect(perItem.rss, figures).toBeLessThan(RSS_BYTES_PER_ITEM);
    // Everything sent is stored: the run measured a collector that kept it all.
    expect(end.items).toBe(TOTAL * ITEMS_PER_ENVELOPE);

    // Reading all of it back through the inspection API streams it from the
    // log: the collector's peak RSS hardly moves (one JSON text of every
    // item would be about 100 MB, and the items as objects more).
    const peakBefore = peakRss(child.pid!);
    const { bytes, count } = await readItems(url, token);
    expect(count).toBe(TOTAL * ITEMS_PER_ENVELOPE);
    expect(bytes).toBeGreaterThan(50 * MiB);
    const peakGrowth = peakRss(child.pid!) - peakBefore;
    expect(peakGrowth, `peak RSS ${peakBefore} -> +${peakGrowth} while ${bytes} bytes of items were read`).toBeLessThan(READ_PEAK_BYTES);
    child.send('stop');
    await new Promise((resolve) => child!.once('exit', resolve));
  }, 240_000);
});

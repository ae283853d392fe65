// Seeded fuzz run: random bytes and mutated real envelopes, sent one by one.
// The collector must stay up, answer only 200/400/413, store nothing for a
// refused request, and hold a log that replays to the same state.
import { afterEach, describe, expect, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { startCollector } from '../src/index.js';
import { envelope, freshCollector, post } from './helpers.js';

const SEED = 0x5eed_c0de;
const MAX_CASES = 400;
const MAX_MS = 15_000;

/** mulberry32: small, fast, reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T };
}

type Rng = ReturnType<typeof prng>;

function hex(rng: Rng, n = 32) {
  return Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');
}

function validEnvelope(rng: Rng): Buffer {
  const eventId = hex(rng);
  const items: Parameters<typeof envelope>[1] = [];
  const count = 1 + rng.int(4);
  for (let i = 0; i < count; i++) {
    switch (rng.int(5)) {
      case 0:
        items.push([{ type: 'event' }, { event_id: eventId, message: `m${rng.int(1e6)}`, level: rng.pick(['error', 'fatal']) }]);
        break;
      case 1:
        items.push([{ type: 'session' }, { sid: hex(rng), seq: rng.int(5), init: true, status: rng.pick(['ok', 'exited', 'crashed', 'abnormal']), errors: rng.int(3) }]);
        break;
      case 2:
        items.push([{ type: 'sessions' }, { aggregates: [{ started: '2026-01-01T00:00:00Z', exited: rng.int(9) }], attrs: { release: 'r@1' } }]);
        break;
      case 3:
        items.push([{ type: 'attachment', filename: `f${i}.bin`, attachment_type: rng.pick(['event.attachment', 'event.minidump']) }, Buffer.from(hex(rng, 2 * rng.int(5000)), 'hex')]);
        break;
      default:
        items.push([{ type: 'client_report' }, { timestamp: 1, discarded_events: [{ reason: 'sample_rate', category: 'error', quantity: rng.int(9) }] }]);
    }
  }
  return envelope({ event_id: eventId, sent_at: '2026-01-01T00:00:00Z' }, items);
}

const FORM_BOUNDARY = 'fuzz-boundary-7';

function minidumpForm(rng: Rng): Buffer {
  const part = (name: string, value: Buffer | string, filename?: string) =>
    Buffer.concat([
      Buffer.from(`--${FORM_BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]);
  return Buffer.concat([
    part('sentry', JSON.stringify({ release: `r@${rng.int(9)}` })),
    part('sentry[tags][k]', 'v'),
    part('upload_file_minidump', Buffer.concat([Buffer.from('MDMP'), Buffer.from(hex(rng, 2 * rng.int(3000)), 'hex')]), 'x.dmp'),
    Buffer.from(`--${FORM_BOUNDARY}--\r\n`),
  ]);
}

function mutate(rng: Rng, body: Buffer): Buffer {
  const b = Buffer.from(body);
  switch (rng.int(6)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + rng.int(4); i < n && b.length > 0; i++) b[rng.int(b.length)] = rng.int(256);
      return b;
    case 1: // truncate
      return b.subarray(0, rng.int(b.length));
    case 2: // insert a newline or a brace
      {
        const at = rng.int(b.length + 1);
        return Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick(['\n', '{', '}', '"', '\r\n', '\u0000'])), b.subarray(at)]);
      }
    case 3: // corrupt a declared length
      return Buffer.from(b.toString('latin1').replace(/"length":\d+/, `"length":${rng.pick([-1, 0, 1e12, 7, '"7"', null])}`), 'latin1');
    case 4: // duplicate a slice
      {
        const from = rng.int(b.length);
        const to = from + rng.int(b.length - from);
        return Buffer.concat([b, b.subarray(from, to)]);
      }
    default:
      return b;
  }
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('fuzz', () => {
  it(`survives ${MAX_CASES} random and mutated envelopes (seed ${SEED.toString(16)})`, async () => {
    const f = await freshCollector({ maxEnvelopeBytes: 4096, maxMinidumpEnvelopeBytes: 6144 });
    cleanup = f.cleanup;
    const { collector } = f;
    const rng = prng(SEED);
    const statuses = new Map<number, number>();
    const byRoute = new Map<string, Set<number>>();
    const started = Date.now();
    let cases = 0;
    for (; cases < MAX_CASES && Date.now() - started < MAX_MS; cases++) {
      const kind = rng.int(4);
      let body: Buffer;
      if (kind === 0) body = Buffer.from(Array.from({ length: rng.int(600) }, () => rng.int(256)));
      else if (kind === 1) body = validEnvelope(rng);
      else body = mutate(rng, validEnvelope(rng));
      // Most cases hit the envelope route; some the legacy store and the minidump form routes.
      const route = rng.pick(['envelope', 'envelope', 'envelope', 'envelope', 'store', 'minidump'] as const);
      const headers: Record<string, string> = {};
      if (route === 'store') body = kind === 0 ? body : mutate(rng, Buffer.from(JSON.stringify({ event_id: hex(rng), message: 'legacy', extra: { n: rng.int(9) } })));
      if (route === 'minidump') {
        body = kind === 0 ? body : mutate(rng, minidumpForm(rng));
        headers['Content-Type'] = `multipart/form-data; boundary=${FORM_BOUNDARY}`;
      }
      const gzip = rng.int(5) === 0;
      if (gzip) headers['Content-Encoding'] = 'gzip';
      const before = collector.items().length;
      const res = await post(collector, gzip ? gzipSync(body) : body, { headers, url: `${collector.url}/api/1/${route}/` });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      byRoute.set(route, (byRoute.get(route) ?? new Set()).add(res.status));
      expect([200, 400, 413], `case ${cases}: ${res.status} ${res.text}`).toContain(res.status);
      if (res.status !== 200) expect(collector.items().length, `case ${cases} stored something`).toBe(before);
    }
    expect(cases).toBeGreaterThan(50);
    // Every outcome occurred, so the run exercised all three paths.
    expect([...statuses.keys()].sort()).toEqual([200, 400, 413]);
    for (const route of ['envelope', 'store', 'minidump']) {
      expect([...(byRoute.get(route) ?? [])], route).toEqual(expect.arrayContaining([200, 400]));
    }

    const items = collector.items();
    for (const item of items) {
      if (item.attachment) expect((await stat(item.attachment.path)).size).toBe(item.attachment.size);
    }
    // The log replays to exactly the same state.
    const { dataDir } = collector;
    await collector.close();
    const again = await startCollector({ port: 0, dataDir, log: (l) => f.warnings.push(l) });
    try {
      expect(again.items()).toEqual(items);
      expect(f.warnings).toEqual([]);
    } finally {
      await again.close();
    }
  });
});

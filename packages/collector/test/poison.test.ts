// A corpus of poison input over real HTTP: nesting of every kind and depth,
// huge items, bad encodings and bombs, invalid UTF-8, bad envelope headers,
// truncated bodies. Each answer is a 4xx with a one-line reason (an SDK
// drops it) or a 200 for what is storable; never a 5xx, which would make an
// SDK retry a poison envelope forever. A 4xx stores nothing, the collector
// keeps serving, and the log replays to what was answered 200. A 5xx comes
// only from a real fault of the collector, and then nothing is stored.
import { connect } from 'node:net';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../src/index.js';
import { bearer, envelope, freshCollector, keyOf, post } from './helpers.js';

type Nest = 'object' | 'array' | 'mixed';

/** JSON text nested `depth` levels deep (the outermost value is level 1), built as text so any depth is cheap. */
function nested(depth: number, kind: Nest, leaf = '1'): string {
  let open = '';
  let close = '';
  for (let d = 0; d < depth; d++) {
    const asObject = kind === 'object' || (kind === 'mixed' && d % 2 === 0);
    open += asObject ? '{"a":' : '[';
    close = (asObject ? '}' : ']') + close;
  }
  return open + leaf + close;
}

/** An event payload whose `extra.deep` nests so that the whole payload is `depth` levels deep. */
const deepEvent = (depth: number, kind: Nest) => `{"event_id":"${'e'.repeat(32)}","message":"x","extra":{"deep":${nested(depth - 2, kind)}}}`;

const raw = (...lines: Array<string | Buffer>) => Buffer.concat(lines.map((l) => (Buffer.isBuffer(l) ? l : Buffer.from(l))));

interface Case {
  name: string;
  body: Buffer;
  /** Path under the collector; default the envelope route with the key in the query. */
  route?: string;
  headers?: Record<string, string>;
  /** 'refused': a 4xx; 'either': 200 or a 4xx (storable or not, but never a 5xx); 'stored': 200. */
  expect: 'refused' | 'either' | 'stored';
}

function minidumpForm(fields: Array<[string, string | Buffer, string?]>): { body: Buffer; type: string } {
  const boundary = 'poison-boundary';
  const parts = fields.map(([name, data, filename]) =>
    Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`), Buffer.from(data), Buffer.from('\r\n')]),
  );
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}
const MDMP = Buffer.concat([Buffer.from('MDMP'), Buffer.alloc(32, 7)]);

function corpus(): Case[] {
  const cases: Case[] = [];
  for (const kind of ['object', 'array', 'mixed'] as const) {
    for (const depth of [257, 300, 5_000, 100_000]) {
      const deep = nested(depth, kind);
      cases.push(
        { name: `event payload ${kind}s ${depth} deep`, body: raw('{}\n{"type":"event"}\n', deepEvent(depth, kind), '\n'), expect: 'refused' },
        { name: `session payload ${kind}s ${depth} deep`, body: raw('{}\n{"type":"session"}\n', `{"sid":"${'5'.repeat(32)}","status":"ok","attrs":${nested(depth - 1, kind)}}`, '\n'), expect: 'refused' },
        { name: `unknown JSON item ${kind}s ${depth} deep`, body: raw('{}\n{"type":"some_future_item"}\n', deep, '\n'), expect: 'refused' },
        { name: `client_report ${kind}s ${depth} deep`, body: raw('{}\n{"type":"client_report"}\n', deep, '\n'), expect: 'refused' },
        { name: `envelope header ${kind}s ${depth} deep`, body: raw(`{"sdk":${nested(depth - 1, kind)}}\n{"type":"event"}\n{"message":"x"}\n`), expect: 'refused' },
        { name: `item header ${kind}s ${depth} deep`, body: raw(`{}\n{"type":"event","x":${nested(depth - 1, kind)}}\n{"message":"x"}\n`), expect: 'refused' },
        { name: `legacy store event ${kind}s ${depth} deep`, route: '/api/1/store/', body: Buffer.from(deepEvent(depth, kind)), expect: 'refused' },
        { name: `gzipped event ${kind}s ${depth} deep`, headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(raw('{}\n{"type":"event"}\n', deepEvent(depth, kind), '\n')), expect: 'refused' },
      );
      const form = minidumpForm([
        ['sentry', deepEvent(depth, kind)],
        ['upload_file_minidump', MDMP, 'c.dmp'],
      ]);
      cases.push({ name: `minidump "sentry" field ${kind}s ${depth} deep`, route: '/api/1/minidump/', headers: { 'Content-Type': form.type }, body: form.body, expect: 'refused' });
    }
  }
  // Exactly the deepest that is kept, and one level more.
  cases.push({ name: 'event payload 256 deep (the limit)', body: raw('{}\n{"type":"event"}\n', deepEvent(256, 'mixed'), '\n'), expect: 'stored' });
  cases.push({ name: 'event payload 257 deep', body: raw('{}\n{"type":"event"}\n', deepEvent(257, 'mixed'), '\n'), expect: 'refused' });
  for (const depth of [300, 3_000]) {
    const form = minidumpForm([
      [`sentry${'[a]'.repeat(depth)}`, 'x'],
      ['upload_file_minidump', MDMP, 'c.dmp'],
    ]);
    cases.push({ name: `minidump sentry[a][a]... field ${depth} deep`, route: '/api/1/minidump/', headers: { 'Content-Type': form.type }, body: form.body, expect: 'refused' });
  }

  // Huge: past the limits, and large but storable.
  cases.push({ name: 'a body past the envelope limit', body: raw('{}\n{"type":"attachment","length":21000000}\n', Buffer.alloc(21_000_000, 0x61), '\n'), expect: 'refused' });
  cases.push({ name: 'an event with a 5 MiB string', body: raw('{}\n{"type":"event"}\n', `{"message":"${'m'.repeat(5 * 1024 * 1024)}"}`, '\n'), expect: 'stored' });
  cases.push({ name: '20,000 items in one envelope', body: raw('{}\n', '{"type":"some_item"}\n{}\n'.repeat(20_000)), expect: 'either' });
  cases.push({ name: 'an event with 100,000 keys', body: raw('{}\n{"type":"event"}\n', `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, '\n'), expect: 'either' });
  for (const length of ['9007199254740993', '1e300', '-1', '1.5', '"12"', 'null', '[]', '{}', 'true']) {
    cases.push({ name: `item length ${length}`, body: raw(`{}\n{"type":"attachment","length":${length}}\nabc\n`), expect: length === 'null' ? 'either' : 'refused' });
  }

  // Encodings.
  const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024));
  cases.push({ name: 'a gzip bomb (200 MiB of zeros)', headers: { 'Content-Encoding': 'gzip' }, body: bomb, expect: 'refused' });
  cases.push({ name: 'a deflate bomb', headers: { 'Content-Encoding': 'deflate' }, body: deflateSync(Buffer.alloc(200 * 1024 * 1024)), expect: 'refused' });
  cases.push({ name: 'a gzip bomb inside gzip', headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(bomb), expect: 'refused' });
  cases.push({ name: 'a truncated gzip body', headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(envelope({}, [[{ type: 'event' }, { message: 'x' }]])).subarray(0, 30), expect: 'refused' });
  cases.push({ name: 'gzip of random bytes', headers: { 'Content-Encoding': 'gzip' }, body: gzipSync(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), expect: 'refused' });
  cases.push({ name: 'a body that says gzip but is plain', headers: { 'Content-Encoding': 'gzip' }, body: envelope({}, [[{ type: 'event' }, { message: 'x' }]]), expect: 'refused' });
  for (const encoding of ['br', 'zstd', 'gzip, gzip', 'x-unknown', '\u00ff']) {
    cases.push({ name: `Content-Encoding ${JSON.stringify(encoding)}`, headers: { 'Content-Encoding': encoding }, body: envelope({}, [[{ type: 'event' }, { message: 'x' }]]), expect: 'refused' });
  }
  const invalidUtf8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0xff, 0xfe, 0xed, 0xa0, 0x80]);
  cases.push({ name: 'invalid UTF-8 inside an event string', body: raw('{}\n{"type":"event"}\n{"message":"', invalidUtf8, '"}\n'), expect: 'either' });
  cases.push({ name: 'invalid UTF-8 as an envelope header', body: raw(invalidUtf8, '\n{"type":"event"}\n{}\n'), expect: 'refused' });
  cases.push({ name: 'invalid UTF-8 inside an item type', body: raw('{}\n{"type":"', invalidUtf8, '"}\n{}\n'), expect: 'refused' });
  cases.push({ name: 'invalid UTF-8 as a JSON item payload', body: raw('{}\n{"type":"session"}\n', invalidUtf8, '\n'), expect: 'refused' });
  cases.push({ name: 'a UTF-16 envelope', body: Buffer.from('\ufeff{}\n{"type":"event"}\n{"message":"x"}\n', 'utf16le'), expect: 'refused' });
  cases.push({ name: 'NUL bytes everywhere', body: Buffer.alloc(4096, 0), expect: 'refused' });
  cases.push({ name: 'a lone surrogate escape in an event', body: raw('{}\n{"type":"event"}\n{"message":"\\ud800\\udfff\\ud800"}\n'), expect: 'either' });

  // Bad envelope and item headers.
  for (const header of ['', '[]', 'null', '"text"', '123', '{', '{"event_id":', '{}}', '\r']) {
    cases.push({ name: `envelope header ${JSON.stringify(header)}`, body: raw(header, '\n{"type":"event"}\n{"message":"x"}\n'), expect: 'refused' });
  }
  for (const header of ['{}', '{"type":""}', '{"type":5}', '{"type":null}', '{"type":["event"]}', '[]', '"event"']) {
    cases.push({ name: `item header ${header}`, body: raw('{}\n', header, '\n{"message":"x"}\n'), expect: 'refused' });
  }
  // The index keeps every type name: none may carry a payload into memory.
  cases.push({ name: 'a 1 MiB item type', body: raw(`{}\n{"type":"${'t'.repeat(1024 * 1024)}"}\n{}\n`), expect: 'refused' });
  for (const type of ['event\n', 'a b', '../event', '-x', 'x'.repeat(65), '\u0000']) {
    cases.push({ name: `item type ${JSON.stringify(type)}`, body: raw(`{}\n${JSON.stringify({ type })}\n{}\n`), expect: 'refused' });
  }
  cases.push({ name: 'a 1 MiB event_id', body: raw(`{"event_id":"${'a'.repeat(1024 * 1024)}"}\n{"type":"event"}\n{}\n`), expect: 'either' });
  cases.push({ name: 'a dsn header that is not a string', headers: { 'X-No-Key': '1' }, route: '/api/1/envelope/', body: raw('{"dsn":{"a":1}}\n{"type":"event"}\n{}\n'), expect: 'refused' });
  cases.push({ name: '__proto__ keys', body: raw('{"__proto__":{"polluted":1}}\n{"type":"event","__proto__":{"x":1}}\n{"__proto__":{"y":1},"constructor":{"prototype":{"z":1}}}\n'), expect: 'either' });

  // Truncated bodies.
  cases.push({ name: 'a length past the end', body: raw('{}\n{"type":"attachment","length":1000}\nabc'), expect: 'refused' });
  cases.push({ name: 'an event cut mid-JSON', body: raw('{}\n{"type":"event"}\n{"message":"cut her'), expect: 'refused' });
  cases.push({ name: 'a header cut mid-line', body: raw('{}\n{"type":"eve'), expect: 'refused' });
  cases.push({ name: 'an empty body', body: Buffer.alloc(0), expect: 'refused' });
  cases.push({ name: 'a multipart body cut before its end', route: '/api/1/minidump/', headers: { 'Content-Type': 'multipart/form-data; boundary=b' }, body: raw('--b\r\nContent-Disposition: form-data; name="upload_file_minidump"; filename="x"\r\n\r\nMDMP'), expect: 'refused' });
  const traversal = minidumpForm([
    ['upload_file_minidump', MDMP, '../../../../etc/passwd'],
    ['attachment', 'x', '/etc/shadow'],
  ]);
  cases.push({ name: 'multipart filenames that traverse', route: '/api/1/minidump/', headers: { 'Content-Type': traversal.type }, body: traversal.body, expect: 'stored' });
  return cases;
}

let ctx: Awaited<ReturnType<typeof freshCollector>>;
beforeAll(async () => {
  ctx = await freshCollector();
});
afterAll(() => ctx.cleanup());

describe('poison input', () => {
  it('answers every case of the corpus with a one-line 4xx (or a 200 for what is storable), never a 5xx, and stores nothing it refused', async () => {
    const { collector, dataDir } = ctx;
    const problems: string[] = [];
    let storedItems = 0;
    let storedCases = 0;
    const cases = corpus();
    for (const c of cases) {
      const before = collector.stats().items;
      const route = c.route ?? '/api/1/envelope/';
      const keyed = c.headers?.['X-No-Key'] ? route : `${route}?sentry_key=${keyOf(collector)}`;
      const { 'X-No-Key': _noKey, ...headers } = c.headers ?? {};
      const res = await fetch(`${collector.url}${keyed}`, { method: 'POST', headers, body: c.body });
      const text = await res.text();
      const after = collector.stats().items;
      const ok = res.status === 200;
      const refused = res.status >= 400 && res.status < 500;
      const wanted = c.expect === 'stored' ? ok : c.expect === 'refused' ? refused : ok || refused;
      if (!wanted) problems.push(`${c.name}: ${res.status} ${text.slice(0, 160)}`);
      if (refused) {
        let detail: unknown;
        try {
          detail = (JSON.parse(text) as { detail?: unknown }).detail;
        } catch {
          detail = undefined;
        }
        if (typeof detail !== 'string' || detail.length === 0 || detail.includes('\n') || detail.length > 400) problems.push(`${c.name}: reason is not one line: ${text.slice(0, 160)}`);
        if (after !== before) problems.push(`${c.name}: refused with ${res.status} but stored ${after - before} item(s)`);
      }
      if (ok) {
        storedCases += 1;
        storedItems += after - before;
      }
    }
    expect(problems).toEqual([]);
    expect(storedCases).toBeGreaterThan(0);
    // Refusals left no attachment file behind; the traversal landed inside attachments/.
    const files = await readdir(path.join(dataDir, 'attachments'));
    const attachments = collector.items({ type: 'attachment' });
    expect(files.sort()).toEqual(attachments.map((a) => path.basename(a.attachment!.path)).sort());
    expect(attachments.every((a) => path.dirname(a.attachment!.path) === path.join(dataDir, 'attachments'))).toBe(true);

    // Still serving reads and writes, the indexes built over what was kept.
    for (const route of ['/api/0/crashfree/items?project=1', '/api/0/organizations/acme/sessions/?field=sum(session)&statsPeriod=1h', '/api/0/organizations/acme/issues/', '/api/0/organizations/acme/crashfree/crashes/']) {
      expect((await fetch(`${collector.url}${route}`, { headers: bearer(collector) })).status, route).toBe(200);
    }
    expect((await post(collector, envelope({}, [[{ type: 'event' }, { message: 'after the corpus' }]]))).status).toBe(200);
    storedItems += 1;
    expect(collector.items()).toHaveLength(storedItems);
  }, 180_000);

  it('keeps at most 256 distinct item types, refusing envelopes that would add more, still storing known ones', async () => {
    const f = await freshCollector();
    try {
      const { collector } = f;
      const typed = (types: string[]) => envelope({}, types.map((type): [Record<string, unknown>, object] => [{ type }, { n: 1 }]));
      expect((await post(collector, typed(Array.from({ length: 253 }, (_, i) => `type_${i}`)))).status).toBe(200);
      const over = await post(collector, typed(Array.from({ length: 10 }, (_, i) => `more_${i}`)));
      expect(over.status).toBe(400);
      expect(JSON.parse(over.text).detail).toContain('256 distinct item types');
      expect((await post(collector, typed(['more_a', 'more_b', 'type_3'])))).toMatchObject({ status: 200 });
      expect((await post(collector, typed(['type_7', 'event'])))).toMatchObject({ status: 200 });
      expect((await post(collector, typed(['one_too_many'])))).toMatchObject({ status: 400 });
      expect(collector.stats().items).toBe(253 + 3 + 2);
    } finally {
      await f.cleanup();
    }
  });

  it('stores nothing of a body the client abandons mid-way, at any point', async () => {
    const f = await freshCollector();
    const { collector } = f;
    const before = 0;
    const full = envelope({ event_id: 'f'.repeat(32) }, [
      [{ type: 'event' }, { event_id: 'f'.repeat(32), message: 'never complete' }],
      [{ type: 'attachment', filename: 'a.bin' }, Buffer.alloc(2000, 1)],
    ]);
    for (const cut of [0, 1, 40, full.length >> 1, full.length - 1]) {
      const socket = connect(collector.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`POST /api/1/envelope/?sentry_key=${keyOf(collector)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${full.length}\r\n\r\n`);
      socket.write(full.subarray(0, cut));
      await new Promise((resolve) => setTimeout(resolve, 30));
      socket.destroy();
    }
    for (const cut of [5, full.length >> 1]) {
      // Chunked, the last chunk never sent.
      const socket = connect(collector.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`POST /api/1/envelope/?sentry_key=${keyOf(collector)} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${cut.toString(16)}\r\n`);
      socket.write(full.subarray(0, cut));
      socket.write('\r\n');
      await new Promise((resolve) => setTimeout(resolve, 30));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(collector.items()).toHaveLength(before);
    expect((await post(collector, full)).status).toBe(200);
    expect(collector.items()).toHaveLength(before + 2);
    await f.cleanup();
  });

  it('answers a real fault of its own (the disk refuses) with a 500 and stores nothing, then recovers', async () => {
    const f = await freshCollector();
    try {
      const { collector, dataDir } = f;
      expect((await post(collector, envelope({}, [[{ type: 'event' }, { message: 'before' }]]))).status).toBe(200);
      // Replace the attachment directory by a file: writing an attachment now fails (ENOTDIR).
      await rm(path.join(dataDir, 'attachments'), { recursive: true });
      await writeFile(path.join(dataDir, 'attachments'), 'not a directory');
      const body = envelope({ event_id: '9'.repeat(32) }, [
        [{ type: 'event' }, { event_id: '9'.repeat(32), message: 'with a file' }],
        [{ type: 'attachment', filename: 'a.txt' }, Buffer.from('x')],
      ]);
      const res = await post(collector, body);
      expect(res.status).toBe(500);
      expect(JSON.parse(res.text).detail).toMatch(/nothing was stored/);
      expect(collector.items().map((i) => (i.payload as { message: string }).message)).toEqual(['before']);
      expect(f.warnings.join('\n')).toMatch(/ENOTDIR/);
      await rm(path.join(dataDir, 'attachments'));
      await collector.close();
      // After a restart the directory is back, the refused envelope was never kept, and a resend is stored.
      const again = await startCollector({ port: 0, dataDir, log: () => undefined });
      try {
        expect(again.items()).toHaveLength(1);
        expect((await post(again, body)).status).toBe(200);
        expect(again.items()).toHaveLength(3);
      } finally {
        await again.close();
      }
    } finally {
      await rm(f.dataDir, { recursive: true, force: true });
    }
  });
});

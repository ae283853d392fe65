import { afterEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { freshCollector, keyOf } from './helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const BOUNDARY = '----crashpad-boundary-0123';
const DUMP = Buffer.concat([Buffer.from('MDMP'), Buffer.from([0x93, 0xa7, 0, 0, 1, 2, 3, 0x0d, 0x0a, 0xff])]);

/** A form as Crashpad sends it: fields, then the minidump file. */
function form(parts: Array<{ name: string; value: string | Buffer; filename?: string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const type = p.filename !== undefined ? '\r\nContent-Type: application/octet-stream' : '';
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const detail = (text: string) => (JSON.parse(text) as { detail: string }).detail;

async function upload(url: string, body: Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers }, body });
  return { status: res.status, text: await res.text() };
}

describe('minidump endpoint (Crashpad/Breakpad uploads)', () => {
  it('stores the event from sentry fields and the minidump as an event.minidump file, answering the event id', async () => {
    const f = await freshCollector();
    cleanup = f.cleanup;
    const c = f.collector;
    const body = form([
      { name: 'sentry', value: JSON.stringify({ release: 'native@3.1.0', environment: 'prod', tags: { shard: 'a' } }) },
      { name: 'sentry[tags][os]', value: 'linux' },
      { name: 'sentry[user][id]', value: 'u1' },
      { name: 'ptype', value: 'crashpad-handler' },
      { name: 'upload_file_minidump', value: DUMP, filename: 'f00d.dmp' },
      { name: 'log.txt', value: 'last words', filename: 'log.txt' },
    ]);
    const res = await upload(`${c.url}/api/1/minidump/?sentry_key=${keyOf(c)}`, gzipSync(body), { 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^[0-9a-f]{32}$/);

    const [event] = c.items({ type: 'event' });
    expect(event?.payload).toMatchObject({
      event_id: res.text,
      platform: 'native',
      level: 'fatal',
      release: 'native@3.1.0',
      environment: 'prod',
      tags: { shard: 'a', os: 'linux' },
      user: { id: 'u1' },
      extra: { ptype: 'crashpad-handler' },
    });
    const attachments = c.items({ type: 'attachment' });
    expect(attachments.map((a) => a.attachment && { filename: a.attachment.filename, type: a.attachment.attachmentType, size: a.attachment.size })).toEqual([
      { filename: 'f00d.dmp', type: 'event.minidump', size: DUMP.length },
      { filename: 'log.txt', type: 'event.attachment', size: 10 },
    ]);
    expect(attachments[0]?.envelopeHeaders['event_id']).toBe(res.text);
    expect(await readFile(attachments[0]!.attachment!.path)).toEqual(DUMP);
  });

  it('refuses uploads without a key, without a minidump, with a non-minidump, or not a form', async () => {
    const f = await freshCollector();
    cleanup = f.cleanup;
    const c = f.collector;
    const url = `${c.url}/api/1/minidump/?sentry_key=${keyOf(c)}`;
    const good = form([{ name: 'upload_file_minidump', value: DUMP, filename: 'x.dmp' }]);
    expect((await upload(`${c.url}/api/1/minidump/`, good)).status).toBe(401);
    const none = await upload(url, form([{ name: 'prod', value: 'x' }]));
    expect(none.status).toBe(400);
    expect(detail(none.text)).toBe('malformed minidump upload: minidump upload has no "upload_file_minidump" file');
    const notDump = await upload(url, form([{ name: 'upload_file_minidump', value: 'hello', filename: 'x.dmp' }]));
    expect(detail(notDump.text)).toContain('no MDMP signature');
    const badSentry = await upload(url, form([{ name: 'sentry', value: '{nope' }, { name: 'upload_file_minidump', value: DUMP, filename: 'x.dmp' }]));
    expect(detail(badSentry.text)).toContain('"sentry" form field is not a JSON object');
    const proto = await upload(url, form([{ name: 'sentry[__proto__][x]', value: '1' }, { name: 'upload_file_minidump', value: DUMP, filename: 'x.dmp' }]));
    expect(proto.status).toBe(400);
    const notForm = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: DUMP });
    expect(notForm.status).toBe(400);
    const truncated = await upload(url, good.subarray(0, good.length - 30));
    expect(truncated.status).toBe(400);
    expect(c.items()).toEqual([]);
  });
});

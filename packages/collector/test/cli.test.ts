// Spawns the built CLI (bin/ -> dist/esm/cli.js; CI builds before testing).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { authHeader, sampleEnvelope } from './helpers.js';
import { defaultDataDir } from '../src/index.js';
import { parseArgs } from '../src/cli-args.js';

const BIN = fileURLToPath(new URL('../bin/crashfree-collector.js', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    waiters.splice(0).forEach((w) => w());
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLines = async (n: number) => {
    const deadline = Date.now() + 15_000;
    while (lines.length < n) {
      if (child.exitCode !== null) throw new Error(`CLI exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${n} lines from the CLI: ${stderr}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return lines.slice(0, n);
  };
  return { child, firstLines, exited, stderr: () => stderr };
}

/** A GET with any Host header (fetch does not let one set it). */
function getWithHost(base: string, target: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: target, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cf-collector-cli-'));
  dirs.push(dir);
  return dir;
}

describe('crashfree-collector CLI', () => {
  it('prints listening, dsn and token lines, accepts envelopes, keeps its key per data dir, and stops on SIGTERM', async () => {
    const dataDir = await tempDir();
    const first = run(['--port', '0', '--data-dir', dataDir]);
    const [listening, dsnLine, tokenLine] = await first.firstLines(3);
    const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(listening!);
    expect(m, listening).not.toBeNull();
    const url = m![1]!;
    const dm = /^dsn http:\/\/([0-9a-f]{32})@127\.0\.0\.1:(\d+)\/1$/.exec(dsnLine!);
    expect(dm, dsnLine).not.toBeNull();
    expect(dm![2]).toBe(m![2]);
    expect(tokenLine).toMatch(/^token [0-9a-f]{48}$/);

    const res = await fetch(`${url}/api/1/envelope/`, { method: 'POST', headers: authHeader(dm![1]!), body: sampleEnvelope() });
    expect(res.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = run(['--port=0', `--data-dir=${dataDir}`, '--token', 'my-own-token']);
    const [, dsn2, token2] = await second.firstLines(3);
    expect(dsn2).toContain(`http://${dm![1]}@`);
    expect(token2).toBe('token my-own-token');
    const url2 = (await second.firstLines(1))[0]!.replace('listening on ', '');
    const items = (await (await fetch(`${url2}/api/0/crashfree/items?project=1&type=event`, { headers: { Authorization: 'Bearer my-own-token' } })).json()) as { items: unknown[] };
    expect(items.items).toHaveLength(1);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('exits 2 naming a bad argument', async () => {
    const bad = run(['--port', 'eighty']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--port is "eighty"; expected an integer from 0 to 65535');
    const unknown = run(['--colour']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain('unknown argument "--colour"');
  });

  it('lists every flag in --help, retention and --allow-host included', async () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const flag of ['--host', '--port', '--data-dir', '--token', '--allow-host', '--retention-age', '--retention-size']) expect(help.stdout).toContain(flag);
  });

  it('refuses bad retention values naming the flag, the value and what is expected', async () => {
    const age = run(['--retention-age', '30 days']);
    expect(await age.exited).toBe(2);
    expect(age.stderr()).toContain('--retention-age is "30 days"; expected a duration like 30d, 12h, 90m, 30s or 500ms, or none');
    const size = run(['--retention-size=lots']);
    expect(await size.exited).toBe(2);
    expect(size.stderr()).toContain('--retention-size is "lots"; expected a size like 500MiB, 2GiB, 1GB or a number of bytes, or none');
    expect(parseArgs(['--retention-age', 'none', '--retention-size', '2GiB']).retention).toEqual({ maxAgeMs: null, maxBytes: 2 * 1024 ** 3 });
    expect(parseArgs(['--retention-age=12h', '--allow-host', 'devbox.lan', '--allow-host', 'box.local']))
      .toMatchObject({ retention: { maxAgeMs: 12 * 3_600_000 }, allowedHosts: ['devbox.lan', 'box.local'] });
  });

  it('drops envelopes past --retention-age on its own, and answers reads addressed to an --allow-host name', async () => {
    const dataDir = await tempDir();
    const cli = run(['--port', '0', '--data-dir', dataDir, '--retention-age', '1s', '--allow-host', 'devbox.lan']);
    const [listening, dsnLine, tokenLine] = await cli.firstLines(3);
    const url = listening!.replace('listening on ', '');
    const key = /http:\/\/([0-9a-f]+)@/.exec(dsnLine!)![1]!;
    const token = tokenLine!.replace('token ', '');
    expect((await fetch(`${url}/api/1/envelope/?sentry_key=${key}`, { method: 'POST', body: sampleEnvelope() })).status).toBe(200);
    const count = async (host?: string) => {
      const answer = await getWithHost(url, '/api/0/crashfree/items?project=1', { Authorization: `Bearer ${token}`, ...(host && { Host: host }) });
      return { status: answer.status, items: answer.status === 200 ? (JSON.parse(answer.body) as { items: unknown[] }).items.length : -1 };
    };
    expect(await count('devbox.lan')).toEqual({ status: 200, items: 2 });
    expect((await count('elsewhere.example')).status).toBe(403);
    const deadline = Date.now() + 15_000;
    while ((await count()).items > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await count()).toEqual({ status: 200, items: 0 });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('keeps every envelope it answered 200 for when killed with SIGKILL mid-traffic', async () => {
    const dataDir = await tempDir();
    const first = run(['--port', '0', '--data-dir', dataDir]);
    const [listening, dsnLine] = await first.firstLines(2);
    const url = listening!.replace('listening on ', '');
    const key = /http:\/\/([0-9a-f]+)@/.exec(dsnLine!)![1]!;
    const acked: string[] = [];
    let next = 0;
    const sender = async () => {
      while (next < 400 && first.child.exitCode === null) {
        const id = (next++).toString(16).padStart(32, '0');
        try {
          const res = await fetch(`${url}/api/1/envelope/?sentry_key=${key}`, { method: 'POST', body: sampleEnvelope(id) });
          if (res.status === 200) acked.push(id);
          if (acked.length === 60) first.child.kill('SIGKILL');
        } catch {
          return; // the collector is gone
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    await first.exited;
    expect(acked.length).toBeGreaterThanOrEqual(60);

    const second = run(['--port', '0', '--data-dir', dataDir]);
    const [listening2, , tokenLine2] = await second.firstLines(3);
    const url2 = listening2!.replace('listening on ', '');
    const headers = { Authorization: `Bearer ${tokenLine2!.replace('token ', '')}` };
    const items = (await (await fetch(`${url2}/api/0/crashfree/items?project=1&type=event`, { headers })).json()) as { items: Array<{ payload: { event_id: string } }> };
    const stored = new Set(items.items.map((i) => i.payload.event_id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('defaults its data dir to $XDG_STATE_HOME/crashfree-collector, else ~/.local/state/crashfree-collector', () => {
    expect(defaultDataDir({ XDG_STATE_HOME: '/var/state' })).toBe('/var/state/crashfree-collector');
    expect(defaultDataDir({ XDG_STATE_HOME: 'relative/ignored' })).toBe(path.join(os.homedir(), '.local', 'state', 'crashfree-collector'));
    expect(defaultDataDir({})).toBe(path.join(os.homedir(), '.local', 'state', 'crashfree-collector'));
  });
});

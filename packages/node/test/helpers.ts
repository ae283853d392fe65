/**
 * Scenario helpers: a real collector on loopback, scenario apps run in child
 * processes (against the built dist/), and bounded polling.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector, type Collector } from '@crashfree/collector';
import { afterAll, beforeAll } from 'vitest';

export const APPS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'apps');

const created: string[] = [];

/** Removes every dir {@link tempDir} made (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh private temp dir, removed by {@link removeTempDirs}. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cf-node-${prefix}-`));
  created.push(dir);
  return dir;
}

/**
 * The set-up most scenario files share: a collector started before the
 * file's tests (handed to `take`), closed after them with the temp dirs.
 */
export function useCollector(take: (c: Collector) => void): void {
  let c: Collector | undefined;
  beforeAll(async () => {
    c = await collector();
    take(c);
  });
  afterAll(async () => {
    await c?.close();
    removeTempDirs();
  });
}

/** A collector on 127.0.0.1, port 0 unless given. */
export function collector(port = 0, dataDir?: string): Promise<Collector> {
  return startCollector({ host: '127.0.0.1', port, ...(dataDir && { dataDir }), log: () => undefined });
}

export interface AppResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  /** Called with each stdout line as it arrives (e.g. to kill the child at "ready"). */
  onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void;
  timeoutMs?: number;
}

/** Runs `app` under node until it ends (killed with SIGKILL after `timeoutMs`). */
export function runApp(app: string, options: RunOptions = {}): Promise<AppResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.execArgv ?? []), path.join(APPS, app)], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const kill = (signal: NodeJS.Signals) => child.kill(signal);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        options.onLine?.(line, kill);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Polls `read` until `done` holds for its value (at most `timeoutMs`), returning the last value. */
export async function waitFor<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = read();
  }
  return value;
}

/** Session updates (payloads) the collector holds, optionally for one sid. */
export function sessions(c: Collector, sid?: string): Array<Record<string, unknown>> {
  return c
    .items({ type: 'session' })
    .map((i) => i.payload as Record<string, unknown>)
    .filter((p) => sid === undefined || p.sid === sid);
}

/** Event payloads the collector holds. */
export function events(c: Collector): Array<Record<string, any>> {
  return c.items({ type: 'event' }).map((i) => i.payload as Record<string, any>);
}

/** The env a scenario app needs. */
export function appEnv(c: Collector, dataDir: string, scenario: string, extra: Record<string, string> = {}): Record<string, string> {
  return { CRASHFREE_DSN: c.dsn, CF_DATA_DIR: dataDir, SCENARIO: scenario, ...extra };
}

/** A loopback HTTP proxy in front of a collector that counts envelope POSTs and can play "down". */
export interface CountingProxy {
  dsn: string;
  /** Bodies of the envelopes that reached the collector through it. */
  delivered: string[];
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** Starts a {@link CountingProxy} for `target`. While down, it drops connections (a network error for the SDK). */
export async function countingProxy(target: Collector): Promise<CountingProxy> {
  const http = await import('node:http');
  let down = false;
  const delivered: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down) {
        req.socket.destroy();
        return;
      }
      const body = Buffer.concat(chunks);
      void fetch(`${target.url}${req.url ?? '/'}`, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? 'application/x-sentry-envelope' }, body }).then(
        async (answer) => {
          if (answer.ok) delivered.push(body.toString('utf8'));
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const dsn = new URL(target.dsn);
  dsn.port = String(port);
  return {
    dsn: dsn.toString().replace(/\/$/, ''),
    delivered,
    setDown: (value) => void (down = value),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Shared pieces of the browser tests: Debian's Chromium through playwright-core
 * (never a downloaded browser), a static server for the pages and the IIFE
 * bundle on 127.0.0.1, and helpers to read what the real collector stored and
 * what the page really sent.
 */
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCollector, type Collector } from '@crashfree/collector';
import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

export const IIFE_PATH = fileURLToPath(new URL('../../packages/browser/dist/crashfree.iife.min.js', import.meta.url));

/**
 * Launches Debian's Chromium headless, with the flags DEVELOPERS.md names.
 * The back/forward cache stays on (playwright turns it off by default): the
 * SDK's bfcache handling is under test.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    args: [
      ...extraArgs,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What most browser test files run against: a real collector, the page server for its DSN, and Chromium. */
export interface PageSetup {
  browser: Browser;
  collector: Collector;
  server: PageServer;
}

/**
 * Starts a collector on port 0, a page server for its DSN and Chromium before
 * the file's tests (handing them to `take`), and closes them after.
 */
export function usePageSetup(take: (setup: PageSetup) => void): void {
  let setup: Partial<PageSetup> = {};
  beforeAll(async () => {
    const collector = await startCollector({ port: 0 });
    setup = { collector };
    setup.server = await startPageServer(collector.dsn);
    setup.browser = await launchChromium();
    take(setup as PageSetup);
  });
  afterAll(async () => {
    await setup.browser?.close();
    await setup.server?.close();
    await setup.collector?.close();
  });
}

/** A page server: `origin` like `http://127.0.0.1:PORT`. */
export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves `/crashfree.js` (the built IIFE bundle, read once at start so every
 * test runs what CI built), `/app.html` (a page initialising crashfree with
 * the options in the `opts` query parameter, `integrations` given by export
 * name, e.g. `['navigationSessionsIntegration']`, then running `?run=`
 * snippets registered by the test; `?user=` (JSON) is set with `setUser`
 * right after `init`, or before it with `&userAt=before`; then
 * `window.__crashfreeInited()` is called when a test exposed it, the instant
 * init (and setUser) returned) and `/other.html` (a page without the SDK).
 */
export async function startPageServer(dsn: string, snippets: Record<string, string> = {}): Promise<PageServer> {
  const bundle = readFileSync(IIFE_PATH);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/crashfree.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(bundle);
      return;
    }
    if (url.pathname === '/app.html') {
      const opts = { dsn, release: 'web@1.0.0', environment: 'test', ...JSON.parse(url.searchParams.get('opts') ?? '{}') };
      const run = snippets[url.searchParams.get('run') ?? ''] ?? '';
      const user = JSON.parse(url.searchParams.get('user') ?? 'null') as unknown;
      const userAt = url.searchParams.get('userAt') ?? 'after';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html><head><title>app</title><script src="/crashfree.js"></script>
<script>const opts = ${JSON.stringify(opts)};
if (opts.integrations) opts.integrations = opts.integrations.map((name) => Crashfree[name]());
const user = ${JSON.stringify(user)};
if (user && ${JSON.stringify(userAt)} === 'before') Crashfree.setUser(user);
window.client = Crashfree.init(opts);
if (user && ${JSON.stringify(userAt)} !== 'before') Crashfree.setUser(user);
if (typeof window.__crashfreeInited === 'function') window.__crashfreeInited();</script></head>
<body><p>app</p><script>${run}</script></body></html>`);
      return;
    }
    if (url.pathname === '/other.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>other</title><p>other</p>');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A session update as the collector stored it. */
export interface SessionUpdate {
  sid: string;
  status: string;
  errors: number;
  init?: boolean;
  seq?: number;
  did?: string;
  attrs?: { release?: string; environment?: string };
}

/** Waits (bounded) until `read()` returns a value `done` accepts; returns the last value either way. */
export async function waitFor<T>(read: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

/** Parses every envelope item of one type from a request body the page sent to the collector. */
export function envelopeItems(body: string, type: string): Record<string, unknown>[] {
  const lines = body.split('\n');
  const out: Record<string, unknown>[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    try {
      const header = JSON.parse(lines[i] ?? '') as { type?: string };
      if (header.type === type) out.push(JSON.parse(lines[i + 1] ?? '') as Record<string, unknown>);
    } catch {
      // Binary attachment lines are not JSON; the browser SDK does not send them.
      break;
    }
  }
  return out;
}

/** Envelope requests seen in a browser context: every attempt, and those the collector answered 2xx. */
export interface SentLog {
  attempted: string[];
  delivered: string[];
}

/**
 * Records every envelope request any page of `context` sends to the collector,
 * so a test can assert how often something was *sent* (the collector dedupes
 * retries, which would hide a duplicate send).
 */
export function recordEnvelopes(context: BrowserContext, collectorUrl: string): SentLog {
  const log: SentLog = { attempted: [], delivered: [] };
  const isEnvelope = (req: Request): boolean =>
    req.method() === 'POST' && req.url().startsWith(collectorUrl) && req.url().includes('/envelope');
  context.on('request', (req) => {
    if (isEnvelope(req)) log.attempted.push(req.postData() ?? '');
  });
  context.on('requestfinished', (req) => {
    if (!isEnvelope(req)) return;
    void req.response().then((res) => {
      if (res && res.status() >= 200 && res.status() < 300) log.delivered.push(req.postData() ?? '');
    });
  });
  return log;
}

/** Every session update (from recorded request bodies) for `sid`. */
export function sentSessionUpdates(bodies: string[], sid?: string): SessionUpdate[] {
  return bodies
    .flatMap((b) => envelopeItems(b, 'session') as unknown as SessionUpdate[])
    .filter((s) => sid === undefined || s.sid === sid);
}

/** A loopback TCP proxy in front of the collector that can be switched "down". */
export interface SwitchableProxy {
  /** The collector's URL with the proxy's port. */
  url: string;
  /** The DSN `dsn` rewritten to go through the proxy. */
  dsnFor(dsn: string): string;
  /** Down: open connections are cut and new ones refused, as on a dead network (for requests a closing page leaves behind too). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/**
 * Chromium's offline emulation belongs to a page, so a keepalive request that
 * outlives its closing page can escape it; a network that really fails is
 * what an offline test needs. This proxy cuts connections at the TCP level.
 */
export async function startSwitchableProxy(target: string): Promise<SwitchableProxy> {
  const { hostname, port } = new URL(target);
  let down = false;
  const open = new Set<Socket>();
  const server = createNetServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    dsnFor: (dsn) => dsn.replace(`:${port}/`, `:${proxyPort}/`),
    setDown(value) {
      down = value;
      if (value) for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

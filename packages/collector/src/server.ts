/**
 * `startCollector`: the HTTP server tying the routes to one data directory.
 * Every request is answered; nothing a client sends can crash it (unexpected
 * failures become a 500 and a warning).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkAccess, type AccessPolicy } from './access.js';
import { EnvelopeError } from './envelope.js';
import { HttpError, sendError, setIngestCors } from './http.js';
import { lockDataDir } from './dir-lock.js';
import { loadIdentity, type Identity } from './identity.js';
import { handleIngest, type IngestContext, type IngestEndpoint } from './ingest.js';
import { handleInspect } from './inspect.js';
import { MINIDUMP_ATTACHMENT_TYPE } from './prepare.js';
import { handleNativeEvent } from './stackwalk/routes.js';
import { createSymbolStore } from './stackwalk/symbols.js';
import { createStackwalker, findStackwalkTool, hasResult, type Stackwalker } from './stackwalk/walker.js';
import { createRateLimiter, type RateLimitSimulation } from './rate-limit.js';
import { resolveOptions, type CollectorOptions } from './options.js';
import { handleReleaseApi, type ReleaseApiContext, type StoredItem } from './release-api.js';
import { mkdirPrivate, privatizeEntries } from './storage/private-fs.js';
import type { CompactResult } from './storage/retention.js';
import { openStorage, type ItemFilter, type Storage, type StorageStats } from './storage/storage.js';

/** The project every collector knows; its DSN is `Collector.dsn`. */
export const DEFAULT_PROJECT_ID = '1';

/** A running collector. */
export interface Collector {
  /** Base URL, e.g. `http://127.0.0.1:8969`. */
  url: string;
  /** DSN of the default project: `http://KEY@HOST:PORT/1`. */
  dsn: string;
  /**
   * Bearer token every read needs (inspection API, attachments, sessions
   * API, deploys): `Authorization: Bearer ${token}`.
   */
  token: string;
  host: string;
  /** The bound port (the real one when started with port 0). */
  port: number;
  /** Absolute path of the data directory. */
  dataDir: string;
  /** Stored items in arrival order (durable ones only), optionally filtered; read from disk on each call. */
  items(filter?: ItemFilter): StoredItem[];
  /** Applies the retention limits now (the collector also does on its own); resolves with what was removed. */
  compact(): Promise<CompactResult>;
  /** Item count, log and attachment bytes, and the bytes of the in-memory index. */
  stats(): StorageStats;
  /**
   * Makes the next `requests` ingest requests answer 429 with the given
   * `Retry-After` / `X-Sentry-Rate-Limits`, storing nothing: lets SDK tests
   * exercise their rate-limit handling over real HTTP.
   */
  simulateRateLimit(simulation: RateLimitSimulation): void;
  /** Resolves when every stored minidump so far has been walked (or failed); for tests and benches. */
  stackwalkIdle(): Promise<void>;
  /** Dumps queued, walking, walked, failed and skipped (queue full) since start. */
  stackwalkStats(): { queued: number; running: number; walked: number; failed: number; skipped: number };
  /** Stops accepting, waits for in-flight writes, closes the store. */
  close(): Promise<void>;
}

const INGEST_PATH = /^\/api\/([^/]+)\/(envelope|store|minidump)\/?$/;

/**
 * Starts a collector. Resolves once it listens; rejects with a clear error
 * for wrong options, an unusable data dir or a port in use.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const opts = resolveOptions(options);
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'crashfree-collector-')));
  await mkdirPrivate(dataDir);
  const unlock = await lockDataDir(dataDir);
  let identity: Identity;
  let storage: Storage;
  try {
    await privatizeEntries(dataDir);
    identity = await loadIdentity(dataDir);
    storage = await openStorage(dataDir, opts.log, { retention: opts.retention });
  } catch (error) {
    await unlock();
    throw error;
  }
  const token = opts.token ?? identity.token;

  // Minidumps are walked off the ingest path; a dump stored while the collector was down or mid-walk is walked now.
  const walkDir = path.join(dataDir, 'stackwalk');
  await mkdirPrivate(walkDir);
  const walker: Stackwalker = createStackwalker({
    tool: opts.stackwalk === false ? null : (opts.stackwalk.tool ?? findStackwalkTool()),
    dir: walkDir,
    ...(opts.stackwalk !== false && { log: opts.log }),
    ...(opts.stackwalk !== false && opts.stackwalk.concurrency !== undefined && { concurrency: opts.stackwalk.concurrency }),
    ...(opts.stackwalk !== false && opts.stackwalk.timeoutMs !== undefined && { timeoutMs: opts.stackwalk.timeoutMs }),
    ...(opts.stackwalk !== false && opts.stackwalk.cpuSeconds !== undefined && { cpuSeconds: opts.stackwalk.cpuSeconds }),
  });
  const walkDump = (item: StoredItem): void => {
    if (item.type !== 'attachment' || item.attachment?.attachmentType !== MINIDUMP_ATTACHMENT_TYPE) return;
    const id = String(item.envelopeHeaders['event_id'] ?? '').replace(/-/g, '').toLowerCase();
    if (!hasResult(walkDir, id)) walker.enqueue(id, item.attachment.path);
  };
  for (const item of storage.iterate({ type: 'attachment' })) walkDump(item);
  const unsubscribeWalker = storage.subscribe(walkDump);
  const symbols = createSymbolStore(path.join(dataDir, 'symbols'));

  const ingest: IngestContext = {
    storage,
    projects: new Map([[DEFAULT_PROJECT_ID, identity.publicKey]]),
    maxEnvelopeBytes: opts.maxEnvelopeBytes,
    maxMinidumpEnvelopeBytes: opts.maxMinidumpEnvelopeBytes,
    limiter: createRateLimiter(),
  };
  const releaseCtx: ReleaseApiContext = {
    dataDir,
    token,
    items: (filter) => storage.iterate(filter),
    subscribe: (listener) => storage.subscribe(listener),
    now: opts.now,
  };
  const access: AccessPolicy = { boundHost: opts.host, allowedHosts: opts.allowedHosts, token };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseUrl(req.url);
    const { pathname } = url;
    const ingestMatch = INGEST_PATH.exec(pathname);
    if (ingestMatch) {
      setIngestCors(req, res);
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      await handleIngest(req, res, url, ingestMatch[1] ?? '', ingestMatch[2] as IngestEndpoint, ingest);
      return;
    }
    // Everything else reads (or records deploys): one rule for all of it.
    checkAccess(req, res, url, access);
    if (pathname.startsWith('/api/0/crashfree/') && ((await handleNativeEvent(req, res, url, storage, walker, symbols)) || (await handleInspect(req, res, url, storage)))) return;
    if (pathname.startsWith('/api/0/organizations/') || pathname === '/' || pathname.startsWith('/page/')) {
      if (await handleReleaseApi(req, res, url, releaseCtx)) return;
    }
    throw new HttpError(404, `no route for ${req.method ?? 'GET'} ${pathname}`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) {
          // Discard what is still arriving (rather than reset the socket under
          // a client that is still writing, which would hide the 413 from it)
          // and close the connection after the answer.
          res.setHeader('Connection', 'close');
          req.resume();
        }
        sendError(res, error.status, error.message);
        return;
      }
      // Input the store cannot keep (e.g. nested too deep) is the client's
      // fault: a 400, so an SDK drops it instead of retrying forever.
      if (error instanceof EnvelopeError) {
        sendError(res, 400, `malformed envelope: ${error.message}`);
        return;
      }
      opts.log(`crashfree-collector: ${req.method} ${req.url} failed: ${error instanceof Error ? error.stack : String(error)}`);
      sendError(res, 500, 'internal error while storing; nothing was stored, retry later');
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    unsubscribeWalker();
    walker.close();
    await storage.close();
    await unlock();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`crashfree-collector: cannot listen on ${opts.host}:${opts.port} (${code ?? String(error)})`, { cause: error });
  }

  const port = (server.address() as AddressInfo).port;
  if (!isLoopback(opts.host)) {
    opts.log(`crashfree-collector: listening on ${opts.host}, not loopback: anyone who can reach it can send to it, and anyone with the token can read everything it stored (over plain HTTP)`);
  }
  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostInUrl}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    dsn: `http://${identity.publicKey}@${hostInUrl}:${port}/${DEFAULT_PROJECT_ID}`,
    token,
    host: opts.host,
    port,
    dataDir,
    items: (filter) => storage.items(filter),
    compact: () => storage.compact(),
    stats: () => storage.stats(),
    simulateRateLimit: (simulation) => ingest.limiter.add(simulation),
    stackwalkIdle: () => walker.idle(),
    stackwalkStats: () => walker.stats(),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections turn idle only after their last answer:
        // sweep them until the server is closed, and cut whatever a client
        // never finishes after 2 s so close() cannot hang.
        server.closeIdleConnections();
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        await stopped;
        clearInterval(sweep);
        clearTimeout(force);
        unsubscribeWalker();
        walker.close();
        await storage.close();
        await unlock();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function parseUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://collector.invalid');
  } catch {
    throw new HttpError(400, 'request target is not a valid URL');
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

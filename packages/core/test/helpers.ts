// Test pieces: a platform with a real HTTP executor (node:http to a real
// collector on loopback), a controllable clock, and collector helpers.
import { request as httpRequest } from 'node:http';
import { resolvedSyncPromise, type Event, type EventHint, type SeverityLevel } from '@sentry/core';
import { startCollector, type Collector } from '@crashfree/collector';
import { createMemoryStore, type Platform, type RequestExecutor, type Store, type TransportHttpResponse, type OwnerMarker } from '@crashfree/core';

/** Sends one request with node:http; rejects on network errors, like a platform executor. */
export const httpExecutor: RequestExecutor = (req) =>
  new Promise<TransportHttpResponse>((resolve, reject) => {
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    const r = httpRequest(req.url, { method: 'POST', headers: { ...req.headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: { 'retry-after': res.headers['retry-after'] as string | undefined, 'x-sentry-rate-limits': res.headers['x-sentry-rate-limits'] as string | undefined },
        }),
      );
    });
    r.on('error', reject);
    r.end(body);
  });

/** Builds events like a platform would, synchronously (so the fatal path works). */
export function eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event> {
  const e = exception instanceof Error ? exception : new Error(String(exception));
  return resolvedSyncPromise<Event>({
    event_id: hint?.event_id,
    exception: {
      values: [
        {
          type: e.name,
          value: e.message,
          mechanism: { type: hint?.mechanism?.type ?? 'generic', handled: hint?.mechanism?.handled ?? true },
          stacktrace: { frames: [{ filename: 'app.js', function: 'run', lineno: 1 }] },
        },
      ],
    },
  });
}

/** A liveness whose "dead" set a test controls: the current run is `{ run }`. */
export function testLiveness(run: string, dead: Set<string> = new Set()) {
  return {
    owner: (): OwnerMarker => ({ run }),
    isAlive: async (owner: OwnerMarker) => !dead.has(String(owner.run)),
  };
}

/** A platform over `store` (memory by default) sending with `makeRequest` (real HTTP by default). */
export function testPlatform(over: Partial<Platform> & { run?: string; dead?: Set<string> } = {}): Platform & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  const { run, dead, ...rest } = over;
  return {
    name: 'node',
    sdk: { name: 'crashfree.test', version: '0.0.1' },
    store: createMemoryStore(),
    makeRequest: httpExecutor,
    liveness: testLiveness(run ?? 'current', dead),
    eventFromException,
    eventFromMessage: (message: string, level?: SeverityLevel) => resolvedSyncPromise<Event>({ message, level: level ?? 'info' }),
    logger: { log: () => undefined, warn: (m: string) => void warnings.push(m), error: (m: string) => void errors.push(m) },
    ...rest,
    warnings,
    errors,
  };
}

/** A clock tests move by hand. */
export function testClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A collector on port 0 with a temporary data dir; quiet. */
export function collector(): Promise<Collector> {
  return startCollector({ port: 0, log: () => undefined });
}

/** Session updates the collector stored, oldest first. */
export function sessions(c: Collector): Array<Record<string, unknown>> {
  return c.items({ type: 'session' }).map((i) => i.payload as Record<string, unknown>);
}

/** Polls `check` until it returns true (bounded: 100 tries, 20 ms apart). */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export type { Store };

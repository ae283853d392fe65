// Test helpers: build envelopes by hand (so tests control every byte) and
// post them to a real collector over loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCollector, type Collector, type CollectorOptions } from '../src/index.js';

export type Item = [Record<string, unknown>, string | Buffer | object];

/** Serialises an envelope; object payloads become JSON, Buffers get an explicit length. */
export function envelope(headers: Record<string, unknown>, items: Item[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(headers)}\n`)];
  for (const [h, p] of items) {
    const payload = Buffer.isBuffer(p) ? p : Buffer.from(typeof p === 'string' ? p : JSON.stringify(p));
    const header = Buffer.isBuffer(p) ? { ...h, length: payload.length } : h;
    parts.push(Buffer.from(`${JSON.stringify(header)}\n`), payload, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

export function keyOf(c: Collector): string {
  return new URL(c.dsn).username;
}

export function envelopeUrl(c: Collector, project = '1'): string {
  return `${c.url}/api/${project}/envelope/`;
}

export function authHeader(key: string): Record<string, string> {
  return { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=${key}` };
}

/** POSTs an envelope with the collector's key; returns status and parsed body. */
export async function post(c: Collector, body: Buffer, init: { headers?: Record<string, string>; url?: string } = {}) {
  const res = await fetch(init.url ?? envelopeUrl(c), {
    method: 'POST',
    headers: { ...authHeader(keyOf(c)), 'Content-Type': 'application/x-sentry-envelope', ...init.headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

/** The header every read needs. */
export function bearer(c: { token: string }): Record<string, string> {
  return { Authorization: `Bearer ${c.token}` };
}

export async function inspect(c: Collector, type?: string): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${c.url}/api/0/crashfree/items?project=1${type ? `&type=${type}` : ''}`, { headers: bearer(c) });
  return ((await res.json()) as { items: Array<Record<string, any>> }).items;
}

/** A fresh data dir and a collector on port 0; call `cleanup` in afterEach. */
export async function freshCollector(extra: CollectorOptions = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cf-collector-test-'));
  const warnings: string[] = [];
  const collector = await startCollector({ port: 0, dataDir, log: (l) => warnings.push(l), ...extra });
  return {
    collector,
    dataDir,
    warnings,
    async cleanup() {
      await collector.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const EVENT_ID = 'a'.repeat(32);

export function sampleEnvelope(eventId = EVENT_ID): Buffer {
  return envelope({ event_id: eventId, sent_at: new Date().toISOString() }, [
    [{ type: 'event' }, { event_id: eventId, message: 'boom', level: 'error', release: 'app@1.0.0' }],
    [{ type: 'session' }, { sid: 'b'.repeat(32), init: true, seq: 0, status: 'ok', started: '2026-01-01T00:00:00Z', timestamp: '2026-01-01T00:00:00Z', errors: 1, attrs: { release: 'app@1.0.0' } }],
  ]);
}

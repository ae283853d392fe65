/**
 * The verdict says why: the gate CLI, against a real collector holding real
 * envelopes (sessions and crash events over loopback), names the issue behind
 * most crashed sessions with its share, new / known / regressed, fingerprint
 * drift and concentrated segments. Through a proxy that answers as Sentry
 * does (no `crashfree` extension on issues) it reaches the same causes with
 * Sentry's own queries; without an issues API the verdict stands and says so.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { envelope, population, sendEnvelope, sendSessions } from './envelopes.js';
import { runGateBin, type GateResult } from './gate-bin.js';

let collector: Collector;
let proxy: Server;
let proxyUrl: string;

/** One crash event as the Node SDK sends it: fatal, unhandled mechanism, frames outermost first. */
function crash(release: string, user: string, type: string, value: string, frames: Array<[string, string]>, os: string): object {
  return {
    event_id: randomBytes(16).toString('hex'),
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'fatal',
    release,
    environment: 'production',
    user: { id: user },
    contexts: { os: { name: os }, runtime: { name: 'node', version: 'v20.19.0' } },
    exception: {
      values: [
        {
          type,
          value,
          mechanism: { type: 'onuncaughtexception', handled: false },
          stacktrace: { frames: frames.map(([file, fn], i) => ({ filename: `/srv/${release}/app/${file}`, function: fn, lineno: 10 + i, colno: 3, in_app: true })) },
        },
      ],
    },
  };
}

const CONFIG: Array<[string, string]> = [['main.js', 'run'], ['config.js', 'load']];
const HANDLER: Array<[string, string]> = [['main.js', 'run'], ['handler.js', 'handle']];
// The same bug in db.js:query, reached from another caller in 1.1.0: a new fingerprint, the same top frame.
const QUERY_OLD: Array<[string, string]> = [['main.js', 'run'], ['db.js', 'query']];
const QUERY_NEW: Array<[string, string]> = [['server.js', 'serve'], ['db.js', 'query']];

function gate(args: string[], url = collector.url): Promise<GateResult> {
  return runGateBin(['--url', url, '--org', 'acme', '--token', collector.token, '--poll', '200ms', '--timeout', '10s', ...args]);
}

/** Mode of the proxy in front of the collector, set per test. */
let proxyMode: 'sentry' | 'no-issues' = 'sentry';

beforeAll(async () => {
  collector = await startCollector({ port: 0 });
  await sendSessions(collector.dsn, population('1.0.0', 1000, 4));
  await sendSessions(collector.dsn, population('1.1.0', 600, 12));
  const events = [
    ...[0, 1].map((i) => crash('1.0.0', `1.0.0-user-${i}`, 'TypeError', `cannot read id of undefined (req ${i})`, HANDLER, 'Linux')),
    ...[2, 3].map((i) => crash('1.0.0', `1.0.0-user-${i}`, 'RangeError', `bad index ${i}`, QUERY_OLD, 'Linux')),
    ...Array.from({ length: 8 }, (_, i) => crash('1.1.0', `1.1.0-user-${i}`, 'Error', `config key ${i} missing`, CONFIG, 'Linux')),
    ...[8, 9].map((i) => crash('1.1.0', `1.1.0-user-${i}`, 'TypeError', `cannot read id of undefined (req ${i})`, HANDLER, i === 8 ? 'Linux' : 'Windows')),
    ...[10, 11].map((i) => crash('1.1.0', `1.1.0-user-${i}`, 'RangeError', `bad index ${i}`, QUERY_NEW, i === 10 ? 'Linux' : 'Windows')),
  ];
  for (const e of events) await sendEnvelope(collector.dsn, envelope('event', [e]));

  // Sentry's issues carry no `crashfree` extension; the sessions API passes through unchanged.
  proxy = createServer((req, res) => {
    void (async () => {
      if (proxyMode === 'no-issues' && req.url?.includes('/issues/')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"The requested resource does not exist"}');
        return;
      }
      const upstream = await fetch(`${collector.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
      let body = await upstream.text();
      if (req.url?.includes('/issues/') && upstream.ok) {
        const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? { ...(v as object), crashfree: undefined } : v);
        body = JSON.stringify(strip(JSON.parse(body)));
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
    })().catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await collector?.close();
});

describe('crashfree-gate names the cause of a HALT', () => {
  it('names the new issue behind most crashed sessions, with its share and segment, then the others', async () => {
    const r = await gate(['--release', '1.1.0', '--baseline', '1.0.0', '--min-sessions', '500']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('crashfree-gate: HALT — release 1.1.0');
    expect(lines[1]).toMatch(/^cause: CRASHFREE-\d+ Error: config key \d missing at load \(config\.js\) — 67% of crashed sessions \(8\), new in 1\.1\.0, platform node 100%, os\.name Linux 100%/);
    const also = lines.filter((l) => l.startsWith('  also: '));
    expect(also).toHaveLength(2);
    expect(also.find((l) => l.includes('TypeError'))).toMatch(/at handle \(handler\.js\) — 17% of crashed sessions \(2\), known, platform node 100%, runtime node v20\.19\.0 100%$/);
    // The RangeError in db.js:query moved callers: a new fingerprint, but the baseline's twin vanished at the same volume.
    expect(also.find((l) => l.includes('RangeError'))).toMatch(/at query \(db\.js\) — 17% of crashed sessions \(2\), fingerprint drift suspected \(was CRASHFREE-\d+\)/);
  });

  it('carries the causes in --json, on PASS too', async () => {
    const r = await gate(['--release', '1.0.0', '--min-sessions', '500', '--threshold', '99', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.causes.crashedSessions).toBe(4);
    expect(json.causes.error).toBeNull();
    expect(json.causes.issues.map((i: { crashedSessions: number; share: number; status: string }) => [i.crashedSessions, i.share, i.status])).toEqual([
      [2, 0.5, 'new'],
      [2, 0.5, 'new'],
    ]);
  });

  it('reaches the same causes through Sentry-shaped answers (firstRelease: and substatus, no extension)', async () => {
    proxyMode = 'sentry';
    const r = await gate(['--release', '1.1.0', '--baseline', '1.0.0', '--min-sessions', '500', '--json'], proxyUrl);
    expect(r.code).toBe(1);
    const direct = JSON.parse((await gate(['--release', '1.1.0', '--baseline', '1.0.0', '--min-sessions', '500', '--json'])).stdout);
    const viaSentry = JSON.parse(r.stdout);
    expect(viaSentry.causes).toEqual(direct.causes);
    expect(viaSentry.causes.issues.map((i: { status: string }) => i.status)).toEqual(['new', 'known', 'drift']);
  });

  it('keeps the verdict when the server has no issues API, and says why there is no cause', async () => {
    proxyMode = 'no-issues';
    const r = await gate(['--release', '1.1.0', '--baseline', '1.0.0', '--min-sessions', '500'], proxyUrl);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[1]).toBe('cause: unknown (the issues could not be read: issues API answered HTTP 404: {"detail":"The requested resource does not exist"})');
  });
});

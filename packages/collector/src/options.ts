/**
 * Options of `startCollector`, validated up front: a wrong one throws a
 * TypeError naming the option, the value and what is expected.
 */
import os from 'node:os';
import path from 'node:path';

/** Options accepted by `startCollector`. */
export interface CollectorOptions {
  /** Interface to listen on; default 127.0.0.1 (loopback only). */
  host?: string;
  /** TCP port; default 8969; 0 picks a free one (see `Collector.port`). */
  port?: number;
  /** Where items are kept; default: a fresh temporary directory, removed on `close()`. */
  dataDir?: string;
  /** Bearer token for the release-health API; default: the one kept in the data dir. */
  token?: string;
  /** Largest accepted envelope (decompressed) in bytes; default 20 MiB. */
  maxEnvelopeBytes?: number;
  /** Largest envelope carrying an `event.minidump` attachment; default 100 MiB. */
  maxMinidumpEnvelopeBytes?: number;
  /**
   * Host names (besides loopback names and `host`) the read routes answer
   * to, e.g. the LAN name of a collector started with host 0.0.0.0. Every
   * other Host is refused (DNS rebinding).
   */
  allowedHosts?: string[];
  /**
   * How much is kept: envelopes older than `maxAgeMs`, and the oldest ones
   * while the log plus attachments exceed `maxBytes`, are removed (the log
   * is compacted). Default 30 days and 1 GiB; a limit set to `null` is
   * off, and `retention: null` keeps everything.
   */
  retention?: { maxAgeMs?: number | null; maxBytes?: number | null } | null;
  /**
   * Stackwalking of stored minidumps (stackwalk/walker.ts): `minidump_stackwalk`
   * of the npm `minidump` package by default, another path, or false for none.
   * `concurrency` (default 1, at most 8), `cpuSeconds` per dump (default 10) and
   * `timeoutMs` of wall time per dump (default 60 s) bound it.
   */
  stackwalk?: false | { tool?: string; concurrency?: number; cpuSeconds?: number; timeoutMs?: number };
  /** Receives warnings (damaged records, listener errors); default: stderr. */
  log?: (line: string) => void;
  /** Clock of the release-health API (ms since the epoch); default Date.now. For tests that stand at a given time of day. */
  now?: () => number;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  host: string;
  port: number;
  dataDir: string | undefined;
  token: string | undefined;
  maxEnvelopeBytes: number;
  maxMinidumpEnvelopeBytes: number;
  allowedHosts: string[];
  retention: { maxAgeMs?: number; maxBytes?: number };
  stackwalk: false | { tool?: string; concurrency?: number; cpuSeconds?: number; timeoutMs?: number };
  log: (line: string) => void;
  now: (() => number) | undefined;
}

/** Retention when none is given: a month, and at most 1 GiB of log plus attachments. */
export const DEFAULT_RETENTION = { maxAgeMs: 30 * 24 * 3_600_000, maxBytes: 1024 * 1024 * 1024 } as const;

const MiB = 1024 * 1024;

/** Validates `options`; throws a TypeError with one clear line for the first wrong one. */
export function resolveOptions(options: CollectorOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') fail('options', options, 'an object');
  const o = options;
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host.length === 0)) fail('host', o.host, 'a non-empty host name or IP address');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) fail('port', o.port, 'an integer from 0 to 65535');
  if (o.dataDir !== undefined && (typeof o.dataDir !== 'string' || o.dataDir.length === 0)) fail('dataDir', o.dataDir, 'a directory path');
  if (o.token !== undefined && (typeof o.token !== 'string' || !/^[\x21-\x7e]{8,}$/.test(o.token))) {
    fail('token', o.token, 'at least 8 printable ASCII characters without spaces');
  }
  for (const name of ['maxEnvelopeBytes', 'maxMinidumpEnvelopeBytes'] as const) {
    const v = o[name];
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) fail(name, v, 'a positive integer number of bytes');
  }
  if (o.allowedHosts !== undefined && !(Array.isArray(o.allowedHosts) && o.allowedHosts.every((h) => typeof h === 'string' && /^[^\s/@]+$/.test(h)))) {
    fail('allowedHosts', o.allowedHosts, 'an array of host names like ["devbox.lan"]');
  }
  const r = o.retention;
  if (r !== undefined && r !== null) {
    if (typeof r !== 'object') fail('retention', r, 'an object like { maxAgeMs: 604800000, maxBytes: 1073741824 }, or null to keep everything');
    for (const name of ['maxAgeMs', 'maxBytes'] as const) {
      const v = r[name];
      if (v !== undefined && v !== null && !(Number.isSafeInteger(v) && v > 0)) fail(`retention.${name}`, v, 'a positive integer, or null for no limit');
    }
  }
  const w = o.stackwalk;
  if (w !== undefined && w !== false) {
    if (w === null || typeof w !== 'object') fail('stackwalk', w, 'false, or an object like { concurrency: 1, timeoutMs: 20000 }');
    if (w.tool !== undefined && (typeof w.tool !== 'string' || !w.tool)) fail('stackwalk.tool', w.tool, 'the path of minidump_stackwalk');
    if (w.concurrency !== undefined && !(Number.isInteger(w.concurrency) && w.concurrency >= 1 && w.concurrency <= 8)) fail('stackwalk.concurrency', w.concurrency, 'an integer from 1 to 8');
    if (w.cpuSeconds !== undefined && !(Number.isInteger(w.cpuSeconds) && w.cpuSeconds >= 1)) fail('stackwalk.cpuSeconds', w.cpuSeconds, 'a whole number of seconds, at least 1');
    if (w.timeoutMs !== undefined && !(Number.isInteger(w.timeoutMs) && w.timeoutMs >= 100)) fail('stackwalk.timeoutMs', w.timeoutMs, 'an integer number of ms, at least 100');
  }
  if (o.log !== undefined && typeof o.log !== 'function') fail('log', o.log, 'a function taking one line of text');
  if (o.now !== undefined && typeof o.now !== 'function') fail('now', o.now, 'a function returning ms since the epoch');
  const maxEnvelopeBytes = o.maxEnvelopeBytes ?? 20 * MiB;
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 8969,
    dataDir: o.dataDir === undefined ? undefined : path.resolve(o.dataDir),
    token: o.token,
    maxEnvelopeBytes,
    maxMinidumpEnvelopeBytes: Math.max(o.maxMinidumpEnvelopeBytes ?? 100 * MiB, maxEnvelopeBytes),
    allowedHosts: (o.allowedHosts ?? []).map((h) => h.toLowerCase().replace(/\.$/, '')),
    retention: r === null ? {} : resolveRetention(r),
    stackwalk: w ?? {},
    log: o.log ?? ((line) => process.stderr.write(`${line}\n`)),
    now: o.now,
  };
}

function resolveRetention(r: NonNullable<CollectorOptions['retention']> | undefined): { maxAgeMs?: number; maxBytes?: number } {
  const out: { maxAgeMs?: number; maxBytes?: number } = {};
  const maxAgeMs = r?.maxAgeMs === undefined ? DEFAULT_RETENTION.maxAgeMs : r.maxAgeMs;
  const maxBytes = r?.maxBytes === undefined ? DEFAULT_RETENTION.maxBytes : r.maxBytes;
  if (maxAgeMs !== null) out.maxAgeMs = maxAgeMs;
  if (maxBytes !== null) out.maxBytes = maxBytes;
  return out;
}

/** The CLI's default data dir: `$XDG_STATE_HOME/crashfree-collector` or `~/.local/state/crashfree-collector`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'crashfree-collector');
}

function fail(name: string, value: unknown, expected: string): never {
  const shown = typeof value === 'function' ? 'a function' : `${JSON.stringify(value) ?? String(value)} (${value === null ? 'null' : typeof value})`;
  throw new TypeError(`crashfree-collector: option "${name}" is ${shown}; expected ${expected}`);
}

/**
 * Command-line options of `crashfree-gate`. Every mistake becomes a
 * UsageError naming the flag, the value and what is expected (exit code 3).
 */
import type { HealthMetric } from './compare.js';

/** Everything the gate run needs. Durations in ms, percentages in percent. */
export interface GateOptions {
  url: string;
  org: string;
  projects: string[];
  token: string;
  release: string;
  baseline: string | null;
  environment: string | null;
  metric: HealthMetric;
  minSample: number;
  threshold: number;
  maxDrop: number;
  poll: number;
  timeout: number;
  /** statsPeriod of each query. */
  period: string;
  /** Evaluate per segment (worst meaningful one decides): platform (crashfree) or project (any Sentry). */
  segmentBy: 'platform' | 'project' | null;
  json: boolean;
  onPass: string | null;
  onHalt: string | null;
}

/** A bad command line; the CLI prints it with the usage and exits 3. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The usage text printed by --help and after a usage error. */
export const USAGE = `usage: crashfree-gate --url URL --org ORG [--project ID] --token TOKEN --release X [--baseline Y]
         [--environment E] [--metric sessions|users] [--min-sessions 500] [--min-users N]
         [--threshold 99.5] [--max-drop 0.5] [--poll 60s] [--timeout 2h] [--period 24h]
         [--per-platform | --segment-by platform|project] [--json] [--on-pass CMD] [--on-halt CMD]
exit codes: 0 pass, 1 halt, 2 insufficient data at timeout, 3 usage or connection error
token: --token, else $CRASHFREE_TOKEN, else $SENTRY_AUTH_TOKEN`;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `60s`, `5m`, `2h`, `1d` (a bare number is seconds) into ms. */
export function parseDurationFlag(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} is "${text}"; expected a duration like 30s, 5m, 2h`);
  return Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000);
}

function number(flag: string, text: string, min: number, max: number, integer = false): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} is "${text}"; expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

const KNOWN = ['--url', '--org', '--project', '--token', '--release', '--baseline', '--environment', '--metric', '--min-sessions', '--min-users', '--threshold', '--max-drop', '--poll', '--timeout', '--period', '--per-platform', '--segment-by', '--json', '--on-pass', '--on-halt'];

/** Parses argv (without node and script); `env` supplies the token fallback. */
export function parseGateArgs(argv: string[], env: NodeJS.ProcessEnv = {}): GateOptions {
  const raw = new Map<string, string[]>();
  const flags = new Set(['--json', '--per-platform']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!KNOWN.includes(name)) throw new UsageError(`unknown flag ${name}`);
    let value = 'true';
    if (!flags.has(name)) {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      value = v;
    }
    raw.set(name, [...(raw.get(name) ?? []), value]);
  }
  const one = (name: string): string | undefined => {
    const v = raw.get(name);
    if (v && v.length > 1 && name !== '--project') throw new UsageError(`${name} given ${v.length} times; give it once`);
    return v?.[0];
  };
  const required = (name: string): string => {
    const v = one(name);
    if (v === undefined) throw new UsageError(`${name} is required`);
    return v;
  };

  const url = required('--url');
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new UsageError(`--url is "${url}"; expected an http(s) URL like http://127.0.0.1:8969 or https://sentry.io`);
  }
  const token = one('--token') ?? env['CRASHFREE_TOKEN'] ?? env['SENTRY_AUTH_TOKEN'];
  if (!token) throw new UsageError('--token is required (or set CRASHFREE_TOKEN)');
  const metric = one('--metric') ?? 'sessions';
  if (metric !== 'sessions' && metric !== 'users') throw new UsageError(`--metric is "${metric}"; expected sessions or users`);
  const minSessions = number('--min-sessions', one('--min-sessions') ?? '500', 1, 1e12, true);
  const minUsersText = one('--min-users');
  const minSample = metric === 'users' && minUsersText !== undefined ? number('--min-users', minUsersText, 1, 1e12, true) : minSessions;
  let segmentBy: GateOptions['segmentBy'] = one('--per-platform') ? 'platform' : null;
  const segmentText = one('--segment-by');
  if (segmentText !== undefined) {
    if (segmentText !== 'platform' && segmentText !== 'project') throw new UsageError(`--segment-by is "${segmentText}"; expected platform or project`);
    segmentBy = segmentText;
  }
  const period = one('--period') ?? '24h';
  if (!/^\d+[smhdw]$/.test(period) || parseDurationFlag('--period', period.replace(/w$/, 'd')) * (period.endsWith('w') ? 7 : 1) < 3_600_000) {
    // Sentry counts sessions in whole hours: a shorter window cannot be honoured.
    throw new UsageError(`--period is "${period}"; expected a stats period of at least 1h, like 1h, 24h, 14d`);
  }
  const poll = parseDurationFlag('--poll', one('--poll') ?? '60s');
  if (poll < 100) throw new UsageError(`--poll is "${one('--poll')}"; expected at least 100ms`);

  return {
    url: url.replace(/\/+$/, ''),
    org: required('--org'),
    projects: raw.get('--project') ?? [],
    token,
    release: required('--release'),
    baseline: one('--baseline') ?? null,
    environment: one('--environment') ?? null,
    metric,
    minSample,
    threshold: number('--threshold', one('--threshold') ?? '99.5', 0, 100),
    maxDrop: number('--max-drop', one('--max-drop') ?? '0.5', 0, 100),
    poll,
    timeout: parseDurationFlag('--timeout', one('--timeout') ?? '2h'),
    period,
    segmentBy,
    json: one('--json') !== undefined,
    onPass: one('--on-pass') ?? null,
    onHalt: one('--on-halt') ?? null,
  };
}

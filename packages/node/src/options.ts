/**
 * The Node SDK's own options (on top of the core's) and the environment
 * variables that stand in for `dsn`, `release` and `environment`.
 */

/** Options only the Node SDK understands; everything else goes to the core. */
export interface NodeOnlyOptions {
  /** Where sessions, the queue and crash records live. Default: per app and DSN under $XDG_STATE_HOME (or ~/.local/state)/crashfree. */
  dataDir?: string;
  /** Path of a Crashpad handler binary for native crash capture. */
  crashpadHandlerPath?: string;
  /** Event-loop block that counts as a hang, in ms (default 5000); `0` turns hang detection off. */
  anrThresholdMs?: number;
  /** Most ANR events sent per hour (default 10); the rest are counted only. */
  anrMaxPerHour?: number;
  /** How long a fatal crash or a signal waits for delivery before the process exits (default 2000 ms). */
  shutdownTimeoutMs?: number;
}

/** The Node option names, in the order they are validated. */
const NODE_ONLY_KEYS = ['dataDir', 'crashpadHandlerPath', 'anrThresholdMs', 'anrMaxPerHour', 'shutdownTimeoutMs'] as const;

/** Node-only options with defaults applied. */
export interface ResolvedNodeOptions {
  dataDir?: string;
  crashpadHandlerPath?: string;
  anrThresholdMs: number;
  anrMaxPerHour: number;
  shutdownTimeoutMs: number;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${String(value)} (${typeof value})`;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Splits user options into the Node-only part (validated here; problems name
 * the option, the value and what is expected) and the rest for the core.
 */
export function splitNodeOptions(input: Record<string, unknown>): {
  node: ResolvedNodeOptions;
  core: Record<string, unknown>;
  problems: string[];
} {
  const problems: string[] = [];
  const core: Record<string, unknown> = { ...input };
  for (const key of NODE_ONLY_KEYS) delete core[key];
  const { dataDir, crashpadHandlerPath, anrThresholdMs, anrMaxPerHour, shutdownTimeoutMs } = input;

  for (const [name, value] of [
    ['dataDir', dataDir],
    ['crashpadHandlerPath', crashpadHandlerPath],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      problems.push(`option "${name}" is ${describe(value)}; expected a non-empty path string`);
    }
  }
  if (anrThresholdMs !== undefined && !(anrThresholdMs === 0 || isInt(anrThresholdMs, 50, 3_600_000))) {
    problems.push(`option "anrThresholdMs" is ${describe(anrThresholdMs)}; expected 0 (off) or an integer from 50 to 3600000 (ms)`);
  }
  if (anrMaxPerHour !== undefined && !isInt(anrMaxPerHour, 0, 10_000)) {
    problems.push(`option "anrMaxPerHour" is ${describe(anrMaxPerHour)}; expected an integer from 0 to 10000`);
  }
  if (shutdownTimeoutMs !== undefined && !isInt(shutdownTimeoutMs, 0, 60_000)) {
    problems.push(`option "shutdownTimeoutMs" is ${describe(shutdownTimeoutMs)}; expected an integer from 0 to 60000 (ms)`);
  }
  return {
    core,
    problems,
    node: {
      dataDir: typeof dataDir === 'string' ? dataDir : undefined,
      crashpadHandlerPath: typeof crashpadHandlerPath === 'string' ? crashpadHandlerPath : undefined,
      anrThresholdMs: typeof anrThresholdMs === 'number' ? anrThresholdMs : 5000,
      anrMaxPerHour: typeof anrMaxPerHour === 'number' ? anrMaxPerHour : 10,
      shutdownTimeoutMs: typeof shutdownTimeoutMs === 'number' ? shutdownTimeoutMs : 2000,
    },
  };
}

/**
 * Fills `dsn`, `release` and `environment` from `CRASHFREE_*`, falling back
 * to `SENTRY_*` so existing deployments work unchanged. Explicit options win.
 */
export function applyEnvDefaults(options: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = { ...options };
  for (const [option, suffix] of [
    ['dsn', 'DSN'],
    ['release', 'RELEASE'],
    ['environment', 'ENVIRONMENT'],
  ] as const) {
    if (out[option] !== undefined) continue;
    const value = env[`CRASHFREE_${suffix}`] || env[`SENTRY_${suffix}`];
    if (value) out[option] = value;
  }
  return out;
}

/** Options the browser SDK adds to those of @crashfree/core. */
export interface BrowserOnlyOptions {
  /**
   * Start a new session on every history-API navigation (pushState,
   * popstate) that changes the path. Default false: a single-page app's
   * visit is one session, as with Sentry's browser SDK.
   */
  newSessionOnNavigation?: boolean;
  /** IndexedDB database the SDK persists into. Default `crashfree`. */
  dbName?: string;
  /** Heartbeat period used where Web Locks are missing. Default 30 000 ms. */
  heartbeatMs?: number;
}

const BROWSER_KEYS = ['newSessionOnNavigation', 'dbName', 'heartbeatMs'] as const;

function show(v: unknown): string {
  if (typeof v === 'string') return `${JSON.stringify(v)} (string)`;
  if (v === null || typeof v === 'object') return v === null ? 'null' : 'an object';
  return `${String(v)} (${typeof v})`;
}

/**
 * Checks the browser-only options and splits them from the core's. Returns
 * one message per bad option, naming the option, its value and what is
 * expected, in the core's wording.
 */
export function splitBrowserOptions(input: Record<string, unknown>): {
  browser: BrowserOnlyOptions;
  core: Record<string, unknown>;
  problems: string[];
} {
  const problems: string[] = [];
  const core: Record<string, unknown> = { ...input };
  for (const k of BROWSER_KEYS) delete core[k];
  const { newSessionOnNavigation, dbName, heartbeatMs } = input;
  if (newSessionOnNavigation !== undefined && typeof newSessionOnNavigation !== 'boolean') {
    problems.push(`option "newSessionOnNavigation" is ${show(newSessionOnNavigation)}; expected true or false`);
  }
  if (dbName !== undefined && (typeof dbName !== 'string' || dbName === '')) {
    problems.push(`option "dbName" is ${show(dbName)}; expected a non-empty string`);
  }
  if (heartbeatMs !== undefined && !(typeof heartbeatMs === 'number' && Number.isInteger(heartbeatMs) && heartbeatMs >= 1000)) {
    problems.push(`option "heartbeatMs" is ${show(heartbeatMs)}; expected an integer of at least 1000 (milliseconds)`);
  }
  return { browser: input as BrowserOnlyOptions, core, problems };
}

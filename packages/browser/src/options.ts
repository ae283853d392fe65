import { describeValue } from '@crashfree/core/lite';

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

/** Each browser option's test and what is expected, in the core's wording. */
const RULES: Record<keyof BrowserOnlyOptions, [(v: unknown) => boolean, string]> = {
  newSessionOnNavigation: [(v) => typeof v === 'boolean', 'true or false'],
  dbName: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  heartbeatMs: [(v) => typeof v === 'number' && Number.isInteger(v) && v >= 1000, 'an integer of at least 1000 (milliseconds)'],
};

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
  for (const [name, [test, expected]] of Object.entries(RULES)) {
    const value = input[name];
    delete core[name];
    if (value !== undefined && !test(value)) problems.push(`option "${name}" is ${describeValue(value)}; expected ${expected}`);
  }
  return { browser: input as BrowserOnlyOptions, core, problems };
}

import { describeValue } from '@crashfree/core/lite';

/** Options the browser SDK adds to those of @crashfree/core. */
export interface BrowserOnlyOptions {
  /** IndexedDB database the SDK persists into. Default `crashfree`. */
  dbName?: string;
  /** Heartbeat period used where Web Locks are missing. Default 30 000 ms. */
  heartbeatMs?: number;
}

/** Each browser option's test and what is expected, in the core's wording. */
const RULES: Record<keyof BrowserOnlyOptions, [(v: unknown) => boolean, string]> = {
  dbName: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  heartbeatMs: [(v) => Number.isInteger(v) && (v as number) >= 1000, 'an integer of at least 1000 (milliseconds)'],
};

/**
 * Checks the browser-only options (the core ignores them). Returns one
 * message per bad option, naming the option, its value and what is
 * expected, in the core's wording.
 */
export function browserOptionProblems(input: BrowserOnlyOptions): string[] {
  return Object.entries(RULES).flatMap(([name, [test, expected]]) => {
    const value = input[name as keyof BrowserOnlyOptions];
    return value === undefined || test(value) ? [] : [`option "${name}" is ${describeValue(value)}; expected ${expected}`];
  });
}

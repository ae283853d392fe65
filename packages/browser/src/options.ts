import type { OptionRule } from '@crashfree/core/lite';

/** Options the browser SDK adds to those of @crashfree/core. */
export interface BrowserOnlyOptions {
  /** IndexedDB database the SDK persists into. Default `crashfree`. */
  dbName?: string;
  /** Heartbeat period used where Web Locks are missing. Default 30 000 ms. */
  heartbeatMs?: number;
}

/**
 * Each browser option's test and what is expected, checked by the core's
 * `validateLiteOptions` in the same pass and wording as its own options.
 */
export const BROWSER_OPTION_RULES: Record<keyof BrowserOnlyOptions, OptionRule> = {
  dbName: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  heartbeatMs: [(v) => Number.isInteger(v) && (v as number) >= 1000, 'an integer of at least 1000 (ms)'],
};

/**
 * @crashfree/core/testing — suites every platform implementation runs.
 */
export {};

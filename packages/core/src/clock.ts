/**
 * Time, randomness and timers the core uses, injectable so tests control
 * minutes, backoff and sampling without sleeping.
 */
export interface CoreDeps {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Uniform in [0, 1): sampling and backoff jitter. */
  random(): number;
  /** Schedules background work; the handle's `unref` is called when present so it never keeps a process alive. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a `setTimeout` handle; undefined (nothing scheduled) is a no-op, as with the global. */
  clearTimeout(handle: unknown): void;
}

/** The real clock, Math.random and the global timers. */
export function defaultDeps(): CoreDeps {
  return {
    now: () => Date.now(),
    random: () => Math.random(),
    setTimeout: (fn, ms) => {
      const handle = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void };
      handle.unref?.();
      return handle;
    },
    clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
  };
}

/**
 * Waits for `promise`, but no longer than `timeoutMs` (forever when
 * 0/undefined, as @sentry/core's flush). With a timeout it never rejects: it
 * resolves with the promise's value, or undefined when the promise rejected
 * or the time ran out.
 */
export async function within<T>(promise: Promise<T> | undefined, timeoutMs: number | undefined, deps: CoreDeps): Promise<T | undefined> {
  if (!timeoutMs) return promise;
  let handle: unknown;
  const timer = new Promise<undefined>((resolve) => {
    handle = deps.setTimeout(() => resolve(undefined), timeoutMs);
  });
  const result = await Promise.race([promise?.then(undefined, () => undefined), timer]);
  deps.clearTimeout(handle);
  return result;
}

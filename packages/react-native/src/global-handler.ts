/** RN's `global.ErrorUtils`, installed by the error-guard polyfill before any app code runs. */
export interface ErrorUtilsLike {
  setGlobalHandler(handler: (error: unknown, isFatal?: boolean) => void): void;
  getGlobalHandler(): ((error: unknown, isFatal?: boolean) => void) | undefined;
}

/** What the handler does with an error; supplied by the SDK. */
export interface GlobalHandlerActions {
  /** Non-fatal (reported with `isFatal` false): count a handled error. */
  onError(error: unknown): void;
  /**
   * Fatal: mark the session crashed and persist synchronously, then resolve
   * once the report is sent or the bounded wait is over.
   */
  onFatal(error: unknown): Promise<void>;
  /** Background failures of the SDK itself (never thrown at the app). */
  onInternalError(error: unknown): void;
}

type Handler = (error: unknown, isFatal?: boolean) => void;
// Marks a crashfree handler with the handler it chains to.
const CHAINED = '__crashfreePrevious';
type CrashfreeHandler = Handler & { [CHAINED]?: Handler };

/** Reads RN's global ErrorUtils, if the error-guard polyfill installed it. */
export function getErrorUtils(): ErrorUtilsLike | undefined {
  const e = (globalThis as { ErrorUtils?: unknown }).ErrorUtils as Partial<ErrorUtilsLike> | undefined;
  return e && typeof e.setGlobalHandler === 'function' && typeof e.getGlobalHandler === 'function'
    ? (e as ErrorUtilsLike)
    : undefined;
}

/**
 * Chains a handler in front of the current `ErrorUtils` global handler. The
 * previous handler is always called (RN's default one shows the red box or
 * ends the app): at once for non-fatal errors, after `onFatal` settled for
 * fatal ones. A second fatal while the first is being reported goes straight
 * to the previous handler so a crash loop cannot hang the app. Returns a
 * function that restores the previous handler if ours is still installed.
 */
export function chainGlobalHandler(errorUtils: ErrorUtilsLike, actions: GlobalHandlerActions): () => void {
  // A second init (Fast Refresh re-running the app's entry) replaces the
  // earlier crashfree handler instead of stacking on it: one report per error.
  const current = errorUtils.getGlobalHandler() as CrashfreeHandler | undefined;
  const previous = current?.[CHAINED] ?? current;
  let reportingFatal = false;
  const callPrevious = (error: unknown, isFatal: boolean): void => {
    if (previous) previous(error, isFatal);
  };
  const handler = (error: unknown, isFatal?: boolean): void => {
    if (!isFatal) {
      try {
        actions.onError(error);
      } catch (e) {
        actions.onInternalError(e);
      }
      callPrevious(error, false);
      return;
    }
    if (reportingFatal) {
      callPrevious(error, true);
      return;
    }
    reportingFatal = true;
    let wait: Promise<void>;
    try {
      wait = actions.onFatal(error);
    } catch (e) {
      actions.onInternalError(e);
      wait = Promise.resolve();
    }
    wait.then(
      () => callPrevious(error, true),
      (e: unknown) => {
        actions.onInternalError(e);
        callPrevious(error, true);
      },
    );
  };
  (handler as CrashfreeHandler)[CHAINED] = previous;
  errorUtils.setGlobalHandler(handler);
  return () => {
    if (errorUtils.getGlobalHandler() === handler && previous) errorUtils.setGlobalHandler(previous);
  };
}

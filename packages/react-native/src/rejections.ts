/** Hermes' promise rejection tracker options (`HermesInternal.enablePromiseRejectionTracker`). */
interface RejectionTrackerOptions {
  allRejections: boolean;
  onUnhandled(id: number, rejection: unknown): void;
  onHandled(id: number): void;
}

interface HermesInternalLike {
  enablePromiseRejectionTracker?(options: RejectionTrackerOptions): void;
  hasPromise?(): boolean;
}

/**
 * Reports unhandled promise rejections through Hermes' rejection tracker, the
 * hook RN itself uses for its LogBox warning. A rejection does not end the
 * app, so it is reported as an error, never as a crash. Returns false when
 * the engine has no tracker (JSC, remote debugging), so init can say so.
 */
export function trackUnhandledRejections(onUnhandled: (reason: unknown) => void, onInternalError: (e: unknown) => void): boolean {
  const hermes = (globalThis as { HermesInternal?: HermesInternalLike }).HermesInternal;
  if (!hermes || typeof hermes.enablePromiseRejectionTracker !== 'function') return false;
  if (typeof hermes.hasPromise === 'function' && !hermes.hasPromise()) return false;
  hermes.enablePromiseRejectionTracker({
    allRejections: true,
    onUnhandled(_id, rejection) {
      try {
        onUnhandled(rejection);
      } catch (e) {
        onInternalError(e);
      }
    },
    onHandled() {
      // A late `.catch` does not un-send the report; the count stays, as in RN's own warning.
    },
  });
  return true;
}

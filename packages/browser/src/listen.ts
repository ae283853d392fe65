/**
 * Adds a listener on `window` that never throws into the page: whatever `fn`
 * throws is swallowed, because the SDK's reaction to a page event must
 * never become a second error in the page.
 */
export function listen<E extends Event>(type: string, fn: (e: E) => unknown): void {
  addEventListener(type, (e) => {
    try {
      fn(e as E);
    } catch {
      // The worst case is a lost report or a session recovered as abnormal, never a broken page.
    }
  });
}

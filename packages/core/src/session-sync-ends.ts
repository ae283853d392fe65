import type { SessionInternals } from './app-sessions.js';
import { sessionKey } from './session-state.js';
import type { SessionEndHint } from './types.js';

/** The full client's session ends for a run about to die (the page's lite client has none: it ends sessions on the chain). */
export interface SyncEnds {
  /**
   * Records how the running session ends if this run dies without ending it
   * (undefined clears it), persisted with its state for next-launch recovery:
   * e.g. `exited` at the time the app went to the background.
   */
  setPendingEnd(hint: SessionEndHint | undefined): void;
  /**
   * Process-is-ending paths (a fatal error, `process.exit`): ends the session
   * with `status` and persists it synchronously when the Store can
   * (`setSync`), so the next launch sends the terminal update even if no
   * promise ever resolves again. Then queues the update as usual. A crashed
   * session stays current so later captures do not start counting again.
   */
  endSync(status: 'crashed' | 'exited'): string | undefined;
  /**
   * Persists the running session as it is now through the Store's cheap
   * synchronous write (`appendSync`, when it has one): a handled error's
   * count is on disk when `captureException` returns, like its event.
   */
  persistNow(): void;
}

/** Extends `createAppSessions` with `SyncEnds` (pass it as `extend`). */
export function syncEnds(k: SessionInternals): SyncEnds {
  return {
    setPendingEnd(hint) {
      const s = k.current();
      if (!s || s.status !== 'ok') return;
      if (hint) s.pendingEnd = { ...hint };
      else delete s.pendingEnd;
      k.persistLater(s);
    },
    endSync(status) {
      const s = k.current();
      if (!s || s.status !== 'ok') return s?.sid;
      s.status = status;
      k.bump(s);
      if (s.did === undefined) {
        const did = k.ctx.didSync?.();
        if (did !== undefined) s.did = did;
      }
      if (status !== 'crashed') k.clear();
      // transition writes it synchronously (setSync) before returning: init and end together when the init's queue
      // write has not landed yet (initQueued still false on disk), so the next launch sends them as one update.
      k.transition(s, false);
      return s.sid;
    },
    persistNow() {
      const s = k.current();
      if (!s || s.status !== 'ok' || !k.ctx.store.appendSync) return;
      try {
        k.ctx.store.appendSync(sessionKey(s.sid), JSON.stringify(s));
      } catch {
        // The chain's own write follows (and warns once if the Store keeps failing).
      }
    },
  };
}

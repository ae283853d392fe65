import type { SessionEndHint, Store } from '@crashfree/core';

/** The slice of RN's `AppState` the session tracker listens to. */
export interface AppStateLike {
  currentState: string | null | undefined;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void } | undefined;
}

/** The session controls of the core client the tracker drives. */
export interface SessionControls {
  startSession(): void;
  endSession(status?: 'exited', at?: number): void;
  setSessionEndHint(hint: SessionEndHint | undefined): void;
  getSessionId(): string | undefined;
}

/** Store key of the last app-state transition (read on the next launch and by tests). */
export const APP_STATE_KEY = 'rn/app-state';

/** What is persisted on every app-state transition. */
export interface PersistedAppState {
  state: 'active' | 'background';
  /** Epoch ms of the transition. */
  at: number;
  sid: string | undefined;
}

/**
 * Maps AppState to sessions: `active` starts a session, or continues the
 * current one if the app was in the background for less than `timeoutMs`;
 * back after longer, the previous session ends `exited` at the time it went
 * to the background (that time is not in its duration) and a new one starts.
 * While in the background the session carries an `exited at T` hint, so an
 * app the OS kills there is recovered `exited`, not abnormal.
 * Only `background` counts as leaving: iOS passes through `inactive` for the
 * app switcher and notification centre without the user leaving the app.
 * Returns a function that stops tracking.
 */
export function trackAppStateSessions(args: {
  appState: AppStateLike;
  sessions: SessionControls;
  store: Store;
  timeoutMs: number;
  now: () => number;
  onError: (error: unknown) => void;
  /** Called after every transition with the current session id (the native module stamps it into crash records). */
  onTransition?: (sid: string | undefined) => void;
}): () => void {
  const { appState, sessions, store, timeoutMs, now, onError, onTransition } = args;
  let backgroundSince: number | undefined = appState.currentState === 'background' ? now() : undefined;

  const persist = (state: PersistedAppState['state'], at: number): void => {
    const value: PersistedAppState = { state, at, sid: sessions.getSessionId() };
    store.set(APP_STATE_KEY, JSON.stringify(value)).catch(onError);
    onTransition?.(value.sid);
  };

  const onChange = (next: string): void => {
    try {
      const t = now();
      if (next === 'background' && backgroundSince === undefined) {
        backgroundSince = t;
        sessions.setSessionEndHint({ status: 'exited', at: t });
        persist('background', t);
      } else if (next === 'active') {
        const leftAt = backgroundSince;
        backgroundSince = undefined;
        if (sessions.getSessionId() === undefined) sessions.startSession();
        else if (leftAt !== undefined && t - leftAt >= timeoutMs) {
          sessions.endSession('exited', leftAt);
          sessions.startSession();
        } else if (leftAt !== undefined) sessions.setSessionEndHint(undefined);
        persist('active', t);
      }
    } catch (e) {
      onError(e);
    }
  };

  const subscription = appState.addEventListener('change', onChange);
  return () => subscription?.remove();
}

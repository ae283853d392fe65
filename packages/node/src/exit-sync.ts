/**
 * Ending the application session from `process.on('exit')` (after
 * `process.exit()`), where no promise resolves any more. The core's session
 * transitions are asynchronous, so without a synchronous end the session of
 * a run that called `process.exit()` would be recovered as `abnormal`.
 *
 * Uses the core's `endSessionSync(status)` when it has one. Until then it
 * rewrites the persisted session record (`session/<sid>`, the core's recovery
 * format) to `exited`, so the next launch's recovery sends the terminal
 * update. A record that was never persisted is left alone.
 */
import type { FileStore } from './store.js';

/** The client calls used here. */
export interface ExitSyncClient {
  getSessionId(): string | undefined;
  endSessionSync?: (status: 'exited') => void;
}

/** Marks the running session exited, durably and synchronously. Never throws. */
export function endSessionAtExit(client: ExitSyncClient, store: FileStore): void {
  if (typeof client.endSessionSync === 'function') {
    client.endSessionSync('exited');
    return;
  }
  const sid = client.getSessionId();
  if (!sid) return;
  const key = `session/${sid}`;
  const raw = store.getSync(key);
  if (typeof raw !== 'string') return;
  const state = JSON.parse(raw) as { status?: string; seq?: number; timestamp?: number };
  if (state.status !== 'ok' || typeof state.seq !== 'number') return;
  state.status = 'exited';
  state.seq += 1;
  state.timestamp = Date.now();
  store.setSync(key, JSON.stringify(state));
}

/**
 * The request executor of a process that may have to deliver a fatal crash
 * without another event-loop turn. Normally it sends asynchronously; once
 * `begin()` is called (the crash path) it sends synchronously through the
 * blocking helper (sync-sender.ts), redoes the requests still in flight that
 * way, and `drain()` lets the core's queue run on microtasks alone until it
 * has been quiet for a while or the deadline passes.
 */
import type { RequestExecutor, TransportHttpRequest, TransportHttpResponse } from '@crashfree/core';
import { createSyncSender, type SyncSender } from './sync-sender.js';

/** See the module comment. */
export interface FatalDelivery {
  makeRequest: RequestExecutor;
  /** Switches to synchronous sending, bounded by `timeoutMs` from now. */
  begin(timeoutMs: number): void;
  /** Resolves (through microtasks only) when nothing has happened for a while, or at the deadline. */
  drain(): Promise<void>;
}

interface Pending {
  request: TransportHttpRequest;
  settle: (send: () => TransportHttpResponse) => void;
}

/** Microtask turns without a request after which the queue is taken to be done. */
const QUIET_TURNS = 2000;

/** Wraps the async executor; `log` explains when the crash must wait for the next launch. */
export function createFatalDelivery(asyncExecutor: RequestExecutor, log: (message: string) => void): FatalDelivery {
  let sender: SyncSender | undefined;
  let deadline = 0;
  let activity = 0;
  const pending = new Set<Pending>();

  const sendSync = (request: TransportHttpRequest): TransportHttpResponse => {
    activity += 1;
    return sender!.send(request, Math.max(1, deadline - Date.now()));
  };

  return {
    makeRequest(request) {
      if (sender) {
        try {
          return Promise.resolve(sendSync(request));
        } catch (e) {
          return Promise.reject(e);
        }
      }
      return new Promise((resolve, reject) => {
        const entry: Pending = {
          request,
          settle: (send) => {
            if (!pending.delete(entry)) return;
            try {
              resolve(send());
            } catch (e) {
              reject(e);
            }
          },
        };
        pending.add(entry);
        asyncExecutor(request).then(
          (response) => entry.settle(() => response),
          (e: unknown) =>
            entry.settle(() => {
              throw e;
            }),
        );
      });
    },
    begin(timeoutMs) {
      deadline = Date.now() + timeoutMs;
      try {
        sender = createSyncSender();
      } catch (e) {
        log(`[crashfree] the crash will be sent on the next launch: ${String(e)}`);
        return;
      }
      // The queue waits on these; an answer now lets it move on without the event loop.
      for (const entry of [...pending]) entry.settle(() => sendSync(entry.request));
    },
    async drain() {
      let quiet = 0;
      let seen = activity;
      while (Date.now() < deadline && quiet < QUIET_TURNS) {
        await null;
        if (activity !== seen) {
          seen = activity;
          quiet = 0;
        } else quiet += 1;
      }
    },
  };
}

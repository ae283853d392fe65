import type { Integration } from '@sentry/core';
import { listen } from './listen.js';

/**
 * Starts a new session on every history-API navigation (pushState,
 * replaceState, popstate) that changes the path: add it to `integrations`
 * for a session per route. Not a default: a single-page app's visit is one
 * session, as with Sentry's browser SDK.
 */
export function navigationSessionsIntegration(): Integration {
  return {
    name: 'NavigationSessions',
    setup(client) {
      let path = location.pathname;
      const check = (): void => {
        if (location.pathname === path) return;
        path = location.pathname;
        (client as unknown as { startSession(): void }).startSession();
      };
      for (const method of ['pushState', 'replaceState'] as const) {
        const original = history[method];
        history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
          original.apply(this, args);
          // The page's navigation has happened; a failing session start must not undo it.
          try {
            check();
          } catch {
            // A lost session start, never a broken navigation.
          }
        };
      }
      listen('popstate', check);
    },
  };
}

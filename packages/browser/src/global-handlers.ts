import type { Integration } from '@sentry/core';
import { listen } from './listen.js';

/** The part of the client the handlers report to. */
interface Reporter {
  captureException(exception: unknown, hint?: { mechanism: { handled: false; type: string }; originalException: unknown }): string;
}

/**
 * Reports uncaught errors (`error` events) and unhandled promise rejections
 * as unhandled (`mechanism.handled: false`), which marks the page session
 * `crashed` — the same semantics as Sentry's browser SDK, so dashboards
 * agree. Resource load errors (an `error` event that is not an ErrorEvent)
 * are ignored. The handlers report to the client that set them up and never
 * throw into the page.
 */
export function globalHandlersIntegration(): Integration {
  return {
    name: 'GlobalHandlers',
    setup(client) {
      const report = (thrown: unknown, type: string): string =>
        (client as unknown as Reporter).captureException(thrown, {
          mechanism: { handled: false, type: `auto.browser.global_handlers.${type}` },
          originalException: thrown,
        });
      // A cross-origin script error has no error object, only "Script error.".
      listen<ErrorEvent>('error', (e) => e instanceof ErrorEvent && report(e.error ?? (e.message || 'Script error.'), 'onerror'));
      listen<PromiseRejectionEvent>('unhandledrejection', (e) => report(e.reason, 'onunhandledrejection'));
    },
  };
}

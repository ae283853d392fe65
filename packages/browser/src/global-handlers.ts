import { defineIntegration, getClient } from '@sentry/core';

const onErrorMechanism = { handled: false, type: 'auto.browser.global_handlers.onerror' };
const onRejectionMechanism = { handled: false, type: 'auto.browser.global_handlers.onunhandledrejection' };

/**
 * Reports uncaught errors (`error` events) and unhandled promise rejections
 * as unhandled (`mechanism.handled: false`), which marks the page session
 * `crashed` — the same semantics as Sentry's browser SDK, so dashboards
 * agree. Resource load errors (an `error` event that is not an ErrorEvent)
 * are ignored. The handlers never throw into the page.
 */
export const globalHandlersIntegration = defineIntegration(() => {
  return {
    name: 'GlobalHandlers',
    setupOnce() {
      if (typeof addEventListener !== 'function') return;
      addEventListener('error', (e) => {
        if (!(e instanceof ErrorEvent)) return;
        // A cross-origin script error has no error object, only "Script error.".
        const thrown = e.error ?? (e.message || 'Script error.');
        try {
          getClient()?.captureException(thrown, { mechanism: onErrorMechanism, originalException: thrown });
        } catch {
          // Reporting must never become a second error in the page.
        }
      });
      addEventListener('unhandledrejection', (e) => {
        try {
          getClient()?.captureException(e.reason, { mechanism: onRejectionMechanism, originalException: e.reason });
        } catch {
          // As above.
        }
      });
    },
  };
});

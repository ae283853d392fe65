// What the example's buttons do. The bugs are deliberate and ordinary: a
// missing field in data from "the server", a rejected request nobody awaits.

/** Reads the total of an order whose `total` is missing: a TypeError, fatal when not caught. */
export function openOrder(order) {
  return formatTotal(order.total);
}

function formatTotal(total) {
  return `${total.amount.toFixed(2)} ${total.currency}`;
}

/** A handled error: the app shows a message and goes on (counted as an error, not a crash). */
export function reportHandled(captureException) {
  try {
    JSON.parse('{"broken": ');
  } catch (e) {
    captureException(e);
  }
}

/** A promise rejection nobody handles: tracked as an error; the app survives. */
export function refreshInBackground() {
  Promise.reject(new Error('refresh failed: 503'));
}

/*
 * The host platform for running a Metro bundle under the Hermes CLI, which
 * has `print` and FIFO timers but no I/O, no real timer delays and no native
 * modules. Bundled as the first Metro polyfill, so it runs before RN's own
 * (console, error-guard). It provides:
 *  - a line protocol on stdout: every line `@@cf <json>` is a message to the
 *    harness (storage writes, outgoing HTTP requests, logs, lifecycle);
 *  - state fed back by the harness on the next run: `__CF_HOST_STATE__`,
 *    defined by one line the harness prepends to the bundle;
 *  - virtual time: `Date.now()` starts at the harness' clock and advances only
 *    when a timer fires, so a 40 s background period takes no real time while
 *    timer order and promise-before-timer ordering stay as on a device;
 *  - `nativeLoggingHook` (RN's console sink) and `fetch` (the harness'
 *    outbox; the harness posts each request to the collector after the run
 *    and fails the test if it was not accepted).
 */
(function (global) {
  var state = global.__CF_HOST_STATE__ || {};
  var print = global.print;
  var nativeSetTimeout = global.setTimeout;
  var vnow = typeof state.now === 'number' ? state.now : 0;
  var realNow = Date.now;
  var bootRealNow = realNow.call(Date);
  var dead = false;
  var queue = [];
  var nextId = 1;
  var pumpScheduled = false;
  var steps = 0;
  var MAX_STEPS = 100000;

  var killed = false;
  function emit(message) {
    // SIGKILLed: nothing after the kill reaches the disk or the network.
    if (killed) return;
    print('@@cf ' + JSON.stringify(message));
  }

  Date.now = function () {
    return vnow;
  };

  function schedule() {
    if (pumpScheduled || dead || queue.length === 0) return;
    pumpScheduled = true;
    // One virtual timer per native turn: promise jobs queued by a timer's
    // callback run before the next timer, as on a device.
    nativeSetTimeout(pump, 0);
  }

  function pump() {
    pumpScheduled = false;
    if (dead || queue.length === 0) return;
    if (++steps > MAX_STEPS) {
      emit({ op: 'error', message: 'host: too many timer steps' });
      dead = true;
      return;
    }
    var best = 0;
    for (var i = 1; i < queue.length; i++) {
      if (queue[i].due < queue[best].due || (queue[i].due === queue[best].due && queue[i].id < queue[best].id)) best = i;
    }
    var task = queue.splice(best, 1)[0];
    if (task.due > vnow) vnow = task.due;
    if (task.interval !== undefined) {
      queue.push({ id: task.id, due: vnow + task.interval, fn: task.fn, args: task.args, interval: task.interval });
    }
    try {
      task.fn.apply(null, task.args);
    } catch (e) {
      // RN calls timers through its guarded bridge: a throw is a fatal error.
      if (global.ErrorUtils) global.ErrorUtils.reportFatalError(e);
      else throw e;
    }
    schedule();
  }

  function addTimer(fn, ms, args, interval) {
    var id = nextId++;
    var delay = Math.max(0, Number(ms) || 0);
    queue.push({ id: id, due: vnow + delay, fn: fn, args: args, interval: interval ? Math.max(1, delay) : undefined });
    schedule();
    return id;
  }

  function clear(id) {
    for (var i = 0; i < queue.length; i++) if (queue[i].id === id) queue.splice(i, 1);
  }

  global.setTimeout = function (fn, ms) {
    return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), false);
  };
  global.setInterval = function (fn, ms) {
    return addTimer(fn, ms, Array.prototype.slice.call(arguments, 2), true);
  };
  global.setImmediate = function (fn) {
    return addTimer(fn, 0, Array.prototype.slice.call(arguments, 1), false);
  };
  global.clearTimeout = clear;
  global.clearInterval = clear;
  global.clearImmediate = clear;

  global.nativeLoggingHook = function (text, level) {
    emit({ op: 'log', level: level, text: String(text) });
  };

  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function bytesToBase64(bytes) {
    var out = '';
    for (var i = 0; i < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.length ? B64[n & 63] : '=';
    }
    return out;
  }

  global.fetch = function (url, init) {
    // Offline launches fail like RN's fetch does without a network.
    if (state.offline) return Promise.reject(new TypeError('Network request failed'));
    var body = init && init.body;
    var message = { op: 'request', url: String(url), headers: (init && init.headers) || {} };
    if (typeof body === 'string') message.body = body;
    else if (body) message.bodyBase64 = bytesToBase64(new Uint8Array(body.buffer || body, body.byteOffset || 0, body.byteLength));
    emit(message);
    return Promise.resolve({
      status: 200,
      ok: true,
      headers: {
        get: function () {
          return null;
        },
      },
    });
  };

  /** The harness-facing controls used by the harness entry and the host modules. */
  global.__cfHost = {
    state: state,
    emit: emit,
    storage: state.storage || {},
    now: function () {
      return vnow;
    },
    /** The real clock, for measuring (virtual time never moves during synchronous work). */
    realNow: function () {
      return realNow.call(Date);
    },
    /** Real time when the first polyfill started (the bundle's start). */
    bootRealNow: bootRealNow,
    isDead: function () {
      return dead;
    },
    /** The app is gone (RN's fatal handler ends the process): no timer runs after this. */
    exit: function (reason) {
      if (dead) return;
      emit({ op: 'exit', reason: reason, now: vnow });
      dead = true;
    },
    /** SIGKILL: the app is gone this instant; no timer, promise job or write after this is seen by anyone. */
    kill: function () {
      if (dead) return;
      emit({ op: 'exit', reason: 'killed', now: vnow });
      dead = true;
      killed = true;
    },
  };
})(typeof globalThis !== 'undefined' ? globalThis : this);

/*
 * The Hermes harness' app launch: what RN's native side and the user would
 * do, scripted. It installs the "native" fatal handler RN's bootstrap puts in
 * ErrorUtils before app code (it ends the app), starts the example app's
 * crashfree set-up, then plays the harness' script: AppState changes, waits
 * in virtual time, and button presses delivered as RN's MessageQueue
 * delivers native→JS calls: a throw is reported with `reportFatalError`.
 */
import './host/setup';
import { captureException, flush, setUser } from '@crashfree/react-native';
import { __setAppState } from 'react-native';
import { startCrashfree } from '../../../../examples/react-native/src/crashfree';
import * as actions from '../../../../examples/react-native/src/actions';

var host = global.__cfHost;
var state = host.state;

// RN's ExceptionsManager: a fatal error ends the app (here: the host stops).
global.ErrorUtils.setGlobalHandler(function (error, isFatal) {
  host.emit({ op: isFatal ? 'fatal' : 'redbox', message: String(error && error.message), stack: String(error && error.stack) });
  if (isFatal) host.exit('fatal');
});

var pressArgs = {
  openOrder: [{ id: 42 }],
  reportHandled: [captureException],
  refreshInBackground: [],
};

function play(steps, i) {
  if (i >= steps.length || host.isDead()) return;
  var step = steps[i];
  var next = function () {
    play(steps, i + 1);
  };
  if (step.appState) {
    __setAppState(step.appState);
    setTimeout(next, 0);
  } else if (step.wait) {
    setTimeout(next, step.wait);
  } else if (step.press) {
    try {
      actions[step.press].apply(null, pressArgs[step.press]);
    } catch (e) {
      global.ErrorUtils.reportFatalError(e);
    }
    setTimeout(next, 0);
  } else if (step.flush) {
    flush(step.flush).then(next);
  } else if (step.close) {
    // The user quits the app: the SDK ends the session `exited` and flushes.
    sdk.close(step.close).then(function () {
      host.exit('closed');
    });
  } else if (step.exit) {
    host.exit('script');
  }
}

if (state.user) setUser(state.user);
var t0 = Date.now();
var sdk = startCrashfree({
  dsn: state.dsn,
  release: state.release,
  environment: 'e2e',
  backgroundTimeoutMs: state.backgroundTimeoutMs,
});
host.emit({ op: 'init', ms: Date.now() - t0 });
// SIGKILL the instant init returned: only what init wrote synchronously survives.
if (state.killAfterInit) host.kill();
sdk.ready.then(function (result) {
  host.emit({ op: 'ready', result: result, sid: sdk.client && sdk.client.getSessionId() });
  play(state.script || [], 0);
});

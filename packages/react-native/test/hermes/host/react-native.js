/*
 * The `react-native` module as the Hermes harness host provides it: the
 * pieces the SDK and the example use (AppState driven by the harness,
 * TurboModuleRegistry without native modules, Platform, AppRegistry).
 * RN's real module needs the native runtime, which the Hermes CLI lacks.
 */
var listeners = [];
var current = 'active';

export var AppState = {
  get currentState() {
    return current;
  },
  addEventListener: function (type, listener) {
    if (type !== 'change') return { remove: function () {} };
    listeners.push(listener);
    return {
      remove: function () {
        var i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      },
    };
  },
};

/** Harness control: the OS moved the app to `state`. */
export function __setAppState(state) {
  if (state === current) return;
  current = state;
  listeners.slice().forEach(function (l) {
    l(state);
  });
}

export var Platform = { OS: 'android', Version: 34, select: function (o) { return o.android !== undefined ? o.android : o.default; } };
export var TurboModuleRegistry = {
  get: function () {
    return null;
  },
  getEnforcing: function (name) {
    throw new Error('TurboModule ' + name + ' is not available in the Hermes harness');
  },
};
export var NativeModules = {};
var registry = {};
export var AppRegistry = {
  registerComponent: function (key, provider) {
    registry[key] = provider;
    return key;
  },
};

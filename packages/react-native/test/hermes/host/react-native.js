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
/*
 * With `nativeSync` in the harness state, the `Crashfree` module as the
 * Android one behaves for its blocking file methods: each write is a
 * `native.set` / `native.remove` line, durable once printed (the harness
 * feeds the files back in as `nativeFiles`); no native crash capture.
 */
var host = global.__cfHost;
var files = (host && host.state.nativeFiles) || {};
var crashfreeModule = {
  install: function () {
    return Promise.resolve('no crash core in the Hermes harness');
  },
  getPendingCrashes: function () {
    return Promise.resolve([]);
  },
  markDelivered: function () {
    return Promise.resolve();
  },
  setAnnotations: function () {},
  setItemSync: function (key, value) {
    files[key] = String(value);
    host.emit({ op: 'native.set', key: key, value: String(value) });
  },
  removeItemSync: function (key) {
    delete files[key];
    host.emit({ op: 'native.remove', key: key });
  },
  getItemsSync: function () {
    return Object.assign({}, files);
  },
};

export var TurboModuleRegistry = {
  get: function (name) {
    return name === 'Crashfree' && host && host.state.nativeSync ? crashfreeModule : null;
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

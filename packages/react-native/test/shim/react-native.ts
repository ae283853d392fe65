/**
 * A small stand-in for the `react-native` module in vitest (aliased in
 * vitest.config.ts): an AppState that tests drive, an ErrorUtils that behaves
 * like RN's error-guard polyfill (global handler, fatal reporting, guarded
 * calls), Platform, and a TurboModuleRegistry tests can register modules in.
 * Tests create a fresh world with `resetReactNative()`.
 */
type AppStateStatus = 'active' | 'background' | 'inactive' | 'unknown' | 'extension';
type Listener = (state: AppStateStatus) => void;
type GlobalHandler = (error: unknown, isFatal?: boolean) => void;

const world = {
  state: 'active' as AppStateStatus,
  listeners: new Set<Listener>(),
  modules: new Map<string, unknown>(),
};

export const AppState = {
  get currentState(): AppStateStatus {
    return world.state;
  },
  addEventListener(type: string, listener: Listener) {
    if (type !== 'change') return { remove() {} };
    world.listeners.add(listener);
    return {
      remove() {
        world.listeners.delete(listener);
      },
    };
  },
};

export const Platform = { OS: 'android' as const, Version: 34 };

export const TurboModuleRegistry = {
  get<T>(name: string): T | null {
    return (world.modules.get(name) as T | undefined) ?? null;
  },
};

export const NativeModules: Record<string, unknown> = {};

/** Test control: moves the app to `state` and notifies listeners like RN does. */
export function setAppState(state: AppStateStatus): void {
  if (state === world.state) return;
  world.state = state;
  for (const l of [...world.listeners]) l(state);
}

/** Test control: makes `TurboModuleRegistry.get(name)` return `module`. */
export function registerTurboModule(name: string, module: unknown): void {
  world.modules.set(name, module);
}

/** Test control: how many AppState listeners are attached. */
export function appStateListenerCount(): number {
  return world.listeners.size;
}

/**
 * Test control: a new app launch — AppState active, no modules, and a fresh
 * global ErrorUtils whose default handler records what reached it (RN's
 * default ends the app; here the test reads `fatalsSeen`).
 */
export function resetReactNative(): { fatalsSeen: { error: unknown; isFatal: boolean }[] } {
  world.state = 'active';
  world.listeners.clear();
  world.modules.clear();
  const fatalsSeen: { error: unknown; isFatal: boolean }[] = [];
  let handler: GlobalHandler = (error, isFatal) => {
    fatalsSeen.push({ error, isFatal: !!isFatal });
  };
  // Same surface and semantics as @react-native/js-polyfills/error-guard.
  const ErrorUtils = {
    setGlobalHandler(fn: GlobalHandler) {
      handler = fn;
    },
    getGlobalHandler() {
      return handler;
    },
    reportError(error: unknown) {
      handler(error, false);
    },
    reportFatalError(error: unknown) {
      handler(error, true);
    },
    applyWithGuard<T>(fn: (...a: unknown[]) => T, context?: unknown, args?: unknown[]): T | undefined {
      try {
        return fn.apply(context, args ?? []);
      } catch (e) {
        handler(e, true);
        return undefined;
      }
    },
  };
  (globalThis as Record<string, unknown>).ErrorUtils = ErrorUtils;
  return { fatalsSeen };
}

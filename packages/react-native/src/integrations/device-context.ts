import { defineIntegration, type Event } from '@sentry/core';
import { Platform } from 'react-native';

/** Which JS engine runs the app, from the globals each engine defines. */
function jsEngine(): string {
  const g = globalThis as { HermesInternal?: unknown };
  return g.HermesInternal ? 'hermes' : 'jsc';
}

/**
 * Adds `contexts.os` (Android/iOS and its version from `Platform`) and
 * `contexts.react_native` (the JS engine) to every event, fatal ones
 * included, without overwriting what the app or a native layer set.
 */
export const deviceContextIntegration = defineIntegration(() => ({
  name: 'CrashfreeDeviceContext',
  processEvent(event: Event): Event {
    const os = Platform.OS === 'ios' ? 'iOS' : Platform.OS === 'android' ? 'Android' : String(Platform.OS);
    event.contexts = {
      ...event.contexts,
      os: { name: os, version: String(Platform.Version), ...event.contexts?.os },
      react_native: { js_engine: jsEngine(), ...event.contexts?.react_native },
    };
    return event;
  },
}));

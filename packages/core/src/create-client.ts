import { debug, setCurrentClient } from '@sentry/core';
import { CrashfreeClient } from './client.js';
import { defaultDeps, type CoreDeps } from './clock.js';
import { ALL_FEATURES, type CoreFeatures } from './features.js';
import { releaseWarning, samplingWarning, validateOptions } from './options.js';
import { installUtf8Fallback } from './utf8.js';
import type { Platform } from './types.js';

function platformProblems(platform: unknown): string[] {
  if (platform === null || typeof platform !== 'object') return ['the platform is missing (a platform package must pass one)'];
  const p = platform as Record<string, unknown>;
  const problems: string[] = [];
  for (const fn of ['makeRequest', 'eventFromException', 'eventFromMessage']) {
    if (typeof p[fn] !== 'function') problems.push(`platform.${fn} is not a function`);
  }
  for (const obj of ['store', 'liveness', 'sdk']) if (p[obj] === null || typeof p[obj] !== 'object') problems.push(`platform.${obj} is missing`);
  return problems;
}

/**
 * Validates `options`, builds the client and binds it as @sentry/core's
 * current client. Never throws: invalid options (or an incomplete platform)
 * log one console.error naming each option, its value and what is expected,
 * and give a disabled client. `deps` (clock, randomness, timers) is for tests.
 * Includes every optional part of the engine (see `createClientWith`).
 */
export function createClient(options: unknown, platform: Platform, deps: Partial<CoreDeps> = {}): CrashfreeClient {
  // Node and React Native come here; RN's older engines lack TextEncoder/TextDecoder (browsers all have them).
  installUtf8Fallback();
  return createClientWith(options, platform, ALL_FEATURES, deps);
}

/**
 * `createClient` with only the optional parts in `features` (fatal path,
 * request mode, pure-TS SHA-256), so a bundle carries no code its platform
 * never runs. Options that need a missing part are refused at init, naming
 * the option.
 */
export function createClientWith(options: unknown, platform: Platform, features: CoreFeatures, deps: Partial<CoreDeps> = {}): CrashfreeClient {
  const logger = (platform as Platform | undefined)?.logger ?? console;
  const allDeps = { ...defaultDeps(), ...deps };
  const { problems, options: resolved, warnings } = validateOptions(options);
  problems.push(...platformProblems(platform));
  if (resolved?.sessionMode === 'request' && !features.requestMode) {
    problems.push('option "sessionMode" is "request" (string); expected "application" (this platform has no request mode)');
  }
  let client: CrashfreeClient;
  if (problems.length > 0 || !resolved) {
    logger.error(`[crashfree] init: ${problems.join('; ')}. crashfree is disabled.`);
    client = new CrashfreeClient(undefined, platform, allDeps);
  } else {
    // @sentry/core's own debug output (transport, integrations) follows the same switch.
    if (resolved.debug) debug.enable();
    for (const warning of [...(warnings ?? []), releaseWarning(resolved.release), samplingWarning(options as Record<string, unknown>)]) if (warning) logger.warn(warning);
    if (resolved.dsn === undefined) logger.warn('[crashfree] no "dsn" option: nothing will be sent. crashfree is disabled.');
    client = new CrashfreeClient(resolved.dsn === undefined ? undefined : resolved, platform, allDeps, features);
  }
  setCurrentClient(client);
  client.init();
  return client;
}

import type { Integration } from '@sentry/core';
import { checkOptions } from './options.js';
import { webCryptoSha256Hex } from './webcrypto.js';

/**
 * An integration with the lite client's own hooks. Hashed user ids are not a
 * Sentry browser default nor release health itself, so for the lite client
 * they are such an integration and a page bundle that does not add it carries
 * none of its code; the lite client refuses `hashUserId: true`, naming the
 * integration. The event policy is on by default (the options
 * `fingerprintBudget`, `spikeLimitPerMinute`, `sampleRate`);
 * `eventPolicyIntegration` is another way to set it.
 */
export interface LiteIntegration extends Integration {
  /** The session `did` for user id `id`; undefined leaves it out of the session. */
  userDid?(id: string): Promise<string | undefined>;
}

/** Options of `eventPolicyIntegration` (the same rules and defaults as the client options of these names). */
export interface EventPolicyOptions {
  /** The first N handled errors of every fingerprint are always kept. Default 20. */
  fingerprintBudget?: number;
  /** Per-fingerprint cap of handled errors per minute. Default 60. */
  spikeLimitPerMinute?: number;
}

/**
 * Sets the lite client's event policy (on by default: the first
 * `fingerprintBudget` handled errors of each fingerprint are sent, then a
 * per-fingerprint cap per minute, then the client's `sampleRate`; unhandled
 * and fatal events always go; drops are counted in client reports) to these
 * settings, in place of the client's top-level `fingerprintBudget` /
 * `spikeLimitPerMinute`: it writes them into the client's options at setup,
 * before the client builds its policy at the first event. Throws a TypeError
 * naming the option, the value and what is expected when `options` are wrong
 * (a configuration error, before `init`).
 */
export function eventPolicyIntegration(options: EventPolicyOptions = {}): LiteIntegration {
  const problems = checkOptions(options as Record<string, unknown>, ['fingerprintBudget', 'spikeLimitPerMinute']);
  if (problems.length > 0) throw new TypeError(`[crashfree] eventPolicyIntegration: ${problems.join('; ')}.`);
  return {
    name: 'CrashfreeEventPolicy',
    setup(client) {
      // The lite client builds its policy from its options at the first event, after every integration is set up.
      const { fingerprintBudget = 20, spikeLimitPerMinute = 60 } = options;
      Object.assign(client.getOptions(), { fingerprintBudget, spikeLimitPerMinute });
    },
  };
}

/**
 * Session `did`s as the SHA-256 hex of the user id (WebCrypto) instead of the
 * id itself, for the lite client (what `createClient`'s `hashUserId: true`
 * does). Where WebCrypto is missing or refuses (insecure pages) the
 * did is left out, never sent in the clear. The last hash is reused.
 */
export function hashUserIdIntegration(): LiteIntegration {
  let last: { id: string; hash: Promise<string | undefined> } | undefined;
  return {
    name: 'CrashfreeHashUserId',
    userDid(id) {
      if (last?.id !== id) last = { id, hash: webCryptoSha256Hex(id) };
      return last.hash;
    },
  };
}

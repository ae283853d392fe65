import type { Event, Integration } from '@sentry/core';
import { checkOptions } from './options.js';
import { EventPolicy } from './policy.js';
import { webCryptoSha256Hex } from './webcrypto.js';

/**
 * An integration with the lite client's own hooks. The parts of `createClient`
 * that are not Sentry browser defaults and not release health itself (the
 * event policy, hashed user ids) are such integrations for the lite client, so
 * a page bundle that does not add them carries none of their code. The lite
 * client refuses the `createClient` options that only they would act on
 * (`fingerprintBudget`, `spikeLimitPerMinute`, `hashUserId: true`), naming
 * the integration to use instead.
 */
export interface LiteIntegration extends Integration {
  /** Whether a built event is sent: a client-report reason to drop it, undefined to send it. Accounting never depends on it. */
  decideEvent?(event: Event, unhandled: boolean): string | undefined;
  /** The session `did` for user id `id`; undefined leaves it out of the session. */
  userDid?(id: string): Promise<string | undefined>;
}

/** Options of `eventPolicyIntegration` (the same rules and defaults as `createClient`'s options of these names). */
export interface EventPolicyOptions {
  /** The first N handled errors of every fingerprint are always kept. Default 20. */
  fingerprintBudget?: number;
  /** Per-fingerprint cap of handled errors per minute. Default 60. */
  spikeLimitPerMinute?: number;
}

/**
 * crashfree's event policy for the lite client (`createClient` always has it):
 * the first `fingerprintBudget` handled errors of each fingerprint are sent,
 * then a per-fingerprint cap per minute (`spikeLimitPerMinute`), then the
 * client's `sampleRate`; unhandled and fatal events always go. Drops are
 * counted in client reports (`sample_rate`, `spike_protection`); session
 * counts never depend on it. Without it the lite client applies `sampleRate`
 * alone to handled errors. Throws a TypeError naming the option, the value
 * and what is expected when `options` are wrong (a configuration error,
 * before `init`).
 */
export function eventPolicyIntegration(options: EventPolicyOptions = {}): LiteIntegration {
  const problems = checkOptions(options as Record<string, unknown>, ['fingerprintBudget', 'spikeLimitPerMinute']);
  if (problems.length > 0) throw new TypeError(`[crashfree] eventPolicyIntegration: ${problems.join('; ')}.`);
  let policy: EventPolicy | undefined;
  return {
    name: 'CrashfreeEventPolicy',
    setup(client) {
      const { sampleRate = 1 } = client.getOptions();
      const { fingerprintBudget = 20, spikeLimitPerMinute = 60 } = options;
      policy = new EventPolicy({ sampleRate, fingerprintBudget, spikeLimitPerMinute, now: Date.now, random: Math.random });
    },
    decideEvent: (event, unhandled) => policy?.decide(event, unhandled),
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

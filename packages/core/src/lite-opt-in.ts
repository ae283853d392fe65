import type { Event, Integration } from '@sentry/core';
import type { ResolvedOptions } from './options.js';
import { EventPolicy } from './policy.js';
import { webCryptoSha256Hex } from './webcrypto.js';

/**
 * An integration with the lite client's own hooks. The parts of `createClient`
 * that are not Sentry browser defaults and not release health itself (the
 * event policy, hashed user ids) are such integrations for the lite client, so
 * a page bundle that does not add them carries none of their code.
 */
export interface LiteIntegration extends Integration {
  /** Whether a built event is sent: a client-report reason to drop it, undefined to send it. Accounting never depends on it. */
  decideEvent?(event: Event, unhandled: boolean): string | undefined;
  /** The session `did` for user id `id`; undefined leaves it out of the session. */
  userDid?(id: string): Promise<string | undefined>;
}

/** Options that act in the lite client only through an integration: [option, the integration's hook, what the warning says]. */
const OPT_INS = [
  ['fingerprintBudget', 'decideEvent', 'eventPolicyIntegration() here; it is ignored'],
  ['spikeLimitPerMinute', 'decideEvent', 'eventPolicyIntegration() here; it is ignored'],
  ['hashUserId', 'userDid', 'hashUserIdIntegration() here; sessions are sent without did'],
] as const;

/**
 * One warning per option set (in `input`, the options as given) that acts
 * only through an integration missing from `integrations`: such an option
 * must not be ignored silently.
 */
export function optInWarnings(input: Record<string, unknown>, integrations: LiteIntegration[]): string[] {
  return OPT_INS.filter(([option, hook]) => input[option] !== undefined && input[option] !== false && !integrations.some((i) => i[hook])).map(
    ([option, , needs]) => `[crashfree] option "${option}" needs ${needs}.`,
  );
}

/**
 * crashfree's event policy for the lite client (`createClient` always has it):
 * the first `fingerprintBudget` handled errors of each fingerprint are sent,
 * then a per-fingerprint cap per minute (`spikeLimitPerMinute`), then
 * `sampleRate`; unhandled and fatal events always go. Drops are counted in
 * client reports (`sample_rate`, `spike_protection`); session counts never
 * depend on it. Reads those options from the client it is set up with.
 * Without it the lite client applies `sampleRate` alone to handled errors.
 */
export function eventPolicyIntegration(): LiteIntegration {
  let policy: EventPolicy | undefined;
  return {
    name: 'CrashfreeEventPolicy',
    setup(client) {
      const o = client.getOptions() as Partial<ResolvedOptions>;
      policy = new EventPolicy({ sampleRate: o.sampleRate ?? 1, fingerprintBudget: o.fingerprintBudget ?? 20, spikeLimitPerMinute: o.spikeLimitPerMinute ?? 60, now: Date.now, random: Math.random });
    },
    decideEvent: (event, unhandled) => policy?.decide(event, unhandled),
  };
}

/**
 * Session `did`s as the SHA-256 hex of the user id (WebCrypto) instead of the
 * id itself, for the lite client (`createClient` does it with the `hashUserId`
 * option alone). Where WebCrypto is missing or refuses (insecure pages) the
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

/**
 * Feeds stored collector items into the release-health index and the
 * latest-crashes list: session updates, request-mode aggregates, fatal
 * events and their attachments. Platform comes from the envelope's SDK name.
 */
import type { SessionAggregates, SessionIndex, SessionUpdate } from '@crashfree/release-health';
import type { StoredItem } from '../release-api.js';
import type { CrashList } from './crashes.js';

/**
 * Maps an envelope's `sdk.name` (e.g. `crashfree.node`, `sentry.javascript.browser`,
 * `sentry.javascript.react-native`) to a platform segment name.
 */
export function platformOf(envelopeHeaders: Record<string, unknown>): string {
  const sdk = envelopeHeaders['sdk'];
  const name = sdk && typeof sdk === 'object' ? (sdk as Record<string, unknown>)['name'] : undefined;
  if (typeof name !== 'string' || name === '') return 'unknown';
  for (const known of ['react-native', 'browser', 'node', 'electron', 'native']) if (name.includes(known)) return known;
  return name.split('.').pop() || 'unknown';
}

/** Sends one stored item where it belongs; unknown or malformed items are ignored. */
export function feedItem(item: StoredItem, index: SessionIndex, crashes: CrashList): void {
  const meta = { project: item.projectId, platform: platformOf(item.envelopeHeaders), receivedAt: item.receivedAt };
  switch (item.type) {
    case 'session':
      index.addSession(item.payload as SessionUpdate, meta);
      break;
    case 'sessions':
      index.addAggregates(item.payload as SessionAggregates, meta);
      break;
    case 'event':
      crashes.addEvent(item, meta.platform);
      break;
    case 'attachment':
      crashes.addAttachment(item);
      break;
    default:
      break;
  }
}

import type { ClientReport, Envelope } from '@sentry/core';
import { clientReportEnvelope } from './envelope.js';

/** Whether every item of `envelope` is a client report (what @sentry/core's outcome flush sends). */
export function isClientReportEnvelope(envelope: Envelope): boolean {
  const items = envelope[1];
  return items.length > 0 && items.every(([header]) => header.type === 'client_report');
}

/**
 * One client-report envelope holding the counts of both: quantities of the
 * same reason and category are added, so a report waiting in the queue can
 * absorb later ones instead of taking another queue slot. The headers of
 * `into` are kept; the timestamp is the later one.
 */
export function mergeClientReports(into: Envelope, from: Envelope): Envelope {
  const counts = new Map<string, ClientReport['discarded_events'][number]>();
  let timestamp = 0;
  for (const env of [into, from]) {
    for (const [, payload] of env[1]) {
      const report = payload as Partial<ClientReport>;
      timestamp = Math.max(timestamp, Number(report.timestamp) || 0);
      for (const d of report.discarded_events ?? []) {
        const key = `${d.reason}\u0000${d.category}`;
        const seen = counts.get(key);
        if (seen) seen.quantity += d.quantity;
        else counts.set(key, { ...d });
      }
    }
  }
  const merged = clientReportEnvelope([...counts.values()], timestamp || Date.now() / 1000);
  return [into[0], merged[1]] as Envelope;
}

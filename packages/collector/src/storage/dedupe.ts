/**
 * Identity of stored items, so SDK retries (at-least-once delivery) are
 * stored once: events and transactions by event_id, session updates by
 * sid + seq, an event's attachments by event_id + name + type + size,
 * request-mode aggregates by the `crashfree_aggregate_id` envelope header
 * (one per flush of an SDK's buckets; a resend after a lost 200, or a
 * next-launch recovery, carries the same one). The keys are rebuilt from the
 * log at start, so a resend is recognised after a collector restart too.
 * Items without an identity (aggregates of other SDKs, client reports) are
 * never deduped.
 */

/** The envelope header naming one request-mode aggregate (see @crashfree/core's request-sessions.ts). */
export const AGGREGATE_ID_HEADER = 'crashfree_aggregate_id';

/** Returns the dedupe key of an item, or undefined when it has none. */
export function dedupeKey(
  projectId: string,
  type: string,
  headers: Record<string, unknown>,
  envelopeHeaders: Record<string, unknown>,
  payload: unknown,
  size: number | undefined,
): string | undefined {
  const body = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
  if (type === 'event' || type === 'transaction') {
    const id = body['event_id'] ?? envelopeHeaders['event_id'];
    return typeof id === 'string' && id ? `event|${projectId}|${id.replace(/-/g, '').toLowerCase()}` : undefined;
  }
  if (type === 'session') {
    const sid = body['sid'];
    if (typeof sid !== 'string' || !sid) return undefined;
    // SDKs that do not send seq (sentry-javascript) resend identical updates
    // on retry, so the update's own time and state stand in for it.
    const seq = body['seq'] ?? `${String(body['timestamp'])}|${String(body['status'])}|${String(body['errors'])}|${String(body['init'])}`;
    return `session|${projectId}|${sid}|${String(seq)}`;
  }
  if (type === 'sessions') {
    const id = envelopeHeaders[AGGREGATE_ID_HEADER];
    return typeof id === 'string' && id ? `sessions|${projectId}|${id}` : undefined;
  }
  if (type === 'attachment') {
    const id = envelopeHeaders['event_id'];
    if (typeof id !== 'string' || !id) return undefined;
    return `attachment|${projectId}|${id.replace(/-/g, '').toLowerCase()}|${String(headers['filename'])}|${String(headers['attachment_type'])}|${String(size)}`;
  }
  return undefined;
}

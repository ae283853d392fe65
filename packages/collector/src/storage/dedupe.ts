/**
 * Identity of stored items, so SDK retries (at-least-once delivery) are
 * stored once: events and transactions by event_id, session updates by
 * sid + seq, an event's attachments by event_id + name + type + size.
 * Items without an identity (aggregates, client reports) are never deduped.
 */

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
  if (type === 'attachment') {
    const id = envelopeHeaders['event_id'];
    if (typeof id !== 'string' || !id) return undefined;
    return `attachment|${projectId}|${id.replace(/-/g, '').toLowerCase()}|${String(headers['filename'])}|${String(headers['attachment_type'])}|${String(size)}`;
  }
  return undefined;
}

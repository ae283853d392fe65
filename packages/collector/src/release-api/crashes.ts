/**
 * The latest crash events (fatal or unhandled), bounded, each with the
 * attachments that arrived in its envelope (minidumps, logs), linked through
 * the collector's attachment route.
 */
import path from 'node:path';
import type { StoredItem } from '../release-api.js';

/** One crash event as the page lists it. */
export interface CrashSummary {
  eventId: string;
  receivedAt: string;
  projectId: string;
  platform: string;
  release: string | null;
  environment: string | null;
  /** `Type: message` of the first exception, or the event message. */
  title: string;
  level: string | null;
  attachments: Array<{ id: string; filename: string | null; size: number; type: string | null; url: string }>;
}

/** A bounded list of the most recent crash events. */
export interface CrashList {
  addEvent(item: StoredItem, platform: string): void;
  addAttachment(item: StoredItem): void;
  /** Most recent first. */
  latest(limit: number): CrashSummary[];
}

type Json = Record<string, unknown>;

function asObject(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function firstException(event: Json): Json | undefined {
  const values = asObject(event['exception'])?.['values'];
  return Array.isArray(values) ? asObject(values[values.length - 1]) : undefined;
}

/** True for events that ended a session as crashed: level fatal or an unhandled mechanism. */
export function isCrash(event: Json): boolean {
  if (event['level'] === 'fatal') return true;
  const mechanism = asObject(firstException(event)?.['mechanism']);
  return mechanism?.['handled'] === false;
}

function titleOf(event: Json): string {
  const ex = firstException(event);
  if (ex) return [ex['type'], ex['value']].filter((s) => typeof s === 'string' && s).join(': ') || 'exception';
  const message = event['message'];
  if (typeof message === 'string') return message;
  const formatted = asObject(message)?.['formatted'];
  return typeof formatted === 'string' ? formatted : 'crash';
}

function normaliseId(id: unknown): string | undefined {
  return typeof id === 'string' && id ? id.replace(/-/g, '').toLowerCase() : undefined;
}

/** Creates an empty list keeping at most `capacity` events. */
export function createCrashList(capacity = 100): CrashList {
  // Insertion-ordered: the oldest entry is first and is the one evicted.
  const byId = new Map<string, CrashSummary>();
  return {
    addEvent(item, platform) {
      const event = asObject(item.payload);
      if (!event || !isCrash(event)) return;
      const eventId = normaliseId(event['event_id'] ?? item.envelopeHeaders['event_id']);
      if (!eventId || byId.has(eventId)) return;
      byId.set(eventId, {
        eventId,
        receivedAt: new Date(item.receivedAt).toISOString(),
        projectId: item.projectId,
        platform,
        release: typeof event['release'] === 'string' ? event['release'] : null,
        environment: typeof event['environment'] === 'string' ? event['environment'] : null,
        title: titleOf(event).slice(0, 300),
        level: typeof event['level'] === 'string' ? event['level'] : null,
        attachments: [],
      });
      if (byId.size > capacity) byId.delete(byId.keys().next().value as string);
    },
    addAttachment(item) {
      const summary = byId.get(normaliseId(item.envelopeHeaders['event_id']) ?? '');
      if (!summary || !item.attachment) return;
      const id = path.basename(item.attachment.path);
      summary.attachments.push({
        id,
        filename: item.attachment.filename ?? null,
        size: item.attachment.size,
        type: item.attachment.attachmentType ?? null,
        url: `/api/0/crashfree/attachments/${id}`,
      });
    },
    latest(limit) {
      return [...byId.values()].reverse().slice(0, Math.max(0, limit));
    },
  };
}

/**
 * Retention: how much the store keeps. Oldest envelopes go first, whole
 * envelopes only (an event never loses its attachments), when they are
 * older than `maxAgeMs` or while the log plus attachment files exceed
 * `maxBytes`. What is dropped is a prefix of the log, so compaction is a
 * copy of its tail (see RecordLog.dropPrefix).
 */
import type { ItemIndex } from './item-index.js';

/** Retention limits of a store; either may be absent (no limit). */
export interface Retention {
  /** Envelopes accepted longer ago than this (ms) are removed. */
  maxAgeMs?: number;
  /** Log plus attachment bytes kept at most; the oldest envelopes are removed first. */
  maxBytes?: number;
}

/** What one compaction removed. */
export interface CompactResult {
  droppedItems: number;
  /** Log plus attachment bytes freed. */
  droppedBytes: number;
}

/** The first item id to keep under `retention` (== firstId + count when nothing is kept). */
export function retentionCut(
  index: ItemIndex,
  retention: Retention,
  totalBytes: number,
  attachmentSize: (id: number) => number,
  now: number,
): { cutId: number; droppedBytes: number } {
  const endId = index.firstId + index.count;
  let cutId = index.firstId;
  let dropped = 0;
  let lastOffset = -1;
  const minAge = retention.maxAgeMs === undefined ? -Infinity : now - retention.maxAgeMs;
  const maxBytes = retention.maxBytes ?? Infinity;
  for (let id = index.firstId; id < endId; id++) {
    const offset = index.offsetOf(id);
    const recordStart = offset !== lastOffset;
    // Decide only at record boundaries: all items of an envelope go together.
    if (recordStart && index.receivedAtOf(id) >= minAge && totalBytes - dropped <= maxBytes) break;
    if (recordStart) dropped += index.lengthOf(id) + 8;
    dropped += attachmentSize(id);
    lastOffset = offset;
    cutId = id + 1;
  }
  return { cutId, droppedBytes: dropped };
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30d`, `12h`, `90m`, `30s`, `500ms` to milliseconds; undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** Parses `500MiB`, `2GiB`, `1GB`, `1048576` to bytes; undefined when it is not one. */
export function parseBytes(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * (UNIT_BYTES[(m[2] ?? 'b').toLowerCase()] as number);
  return Number.isSafeInteger(Math.round(bytes)) && bytes > 0 ? Math.round(bytes) : undefined;
}

/**
 * The collector's store: every accepted envelope becomes one record in an
 * append-only log (see record-log.ts), attachments become files beside it.
 * Memory holds an index (item-index.ts: where each item is, its dedupe key
 * hash), never the payloads: readers get items read back from the log on
 * demand. The index is rebuilt by streaming the log at start. `commit`
 * resolves only when everything it kept is on disk; listeners hear about
 * items after that. Retention (retention.ts) drops the oldest envelopes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StoredItem } from '../release-api.js';
import type { PreparedEnvelope, PreparedFile } from '../prepare.js';
import { dedupeKey } from './dedupe.js';
import { ItemIndex } from './item-index.js';
import { assertStorable } from './limits.js';
import { FILE_MODE, mkdirPrivate, openPrivate, syncDir } from './private-fs.js';
import { openRecordLog, type RecordLog, type RecordReader } from './record-log.js';
import { retentionCut, type CompactResult, type Retention } from './retention.js';

const LOG_FILE = 'items.log';
const ATTACHMENT_DIR = 'attachments';

/** Filter for `Storage.items`. */
export interface ItemFilter {
  type?: string;
  projectId?: string;
}

/** What `commit` kept and what it recognised as already stored. */
export interface CommitResult {
  stored: number;
  duplicates: number;
}

/** Sizes of a store, for tests and benchmarks. */
export interface StorageStats {
  items: number;
  logBytes: number;
  attachmentBytes: number;
  /** Bytes of the in-memory index. */
  indexBytes: number;
}

/** On-disk shape of one stored item (attachment paths relative to the data dir). */
interface ItemRecord {
  type: string;
  headers: Record<string, unknown>;
  payload?: unknown;
  attachment?: { file: string; size: number; filename?: string; attachmentType?: string; contentType?: string };
}

/** On-disk shape of one accepted envelope. */
interface EnvelopeRecord {
  v: 1;
  projectId: string;
  receivedAt: number;
  envelopeHeaders: Record<string, unknown>;
  items: ItemRecord[];
}

/** Durable item storage for one data directory. */
export interface Storage {
  /** Stored items in arrival order, optionally filtered (read from the log now). */
  items(filter?: ItemFilter): StoredItem[];
  /** The same, one item at a time: for readers of many items, memory stays flat. */
  iterate(filter?: ItemFilter): Iterable<StoredItem>;
  /** The stored event `eventId` (32 hex) of project `projectId`, found through the dedupe index (no scan). */
  event(projectId: string, eventId: string): StoredItem | undefined;
  /** The stored attachment item whose file has base name `id`. */
  attachment(id: string): StoredItem | undefined;
  /** Stores the envelope's new items durably; duplicates are counted, not stored. */
  commit(envelope: PreparedEnvelope, receivedAt: number): Promise<CommitResult>;
  /** Listener called once per newly durable item; returns an unsubscribe. */
  subscribe(listener: (item: StoredItem) => void): () => void;
  /** Applies the retention limits now (also done at open, on a timer and as the store grows). */
  compact(): Promise<CompactResult>;
  stats(): StorageStats;
  close(): Promise<void>;
}

/** Options of `openStorage`. */
export interface StorageOptions {
  retention?: Retention;
}

/** Opens the store in `dataDir`, replaying its log; damaged records are reported through `warn`. */
export async function openStorage(dataDir: string, warn: (line: string) => void, options: StorageOptions = {}): Promise<Storage> {
  const attachmentDir = path.join(dataDir, ATTACHMENT_DIR);
  const logFile = path.join(dataDir, LOG_FILE);
  await mkdirPrivate(attachmentDir);
  // A compaction interrupted before its switch leaves its copy behind.
  await rm(`${logFile}.compact`, { force: true });

  const index = new ItemIndex();
  /** Attachment item id -> file base name and size; and the reverse. */
  const attachmentOf = new Map<number, { name: string; size: number }>();
  const attachmentByName = new Map<string, number>();
  let attachmentBytes = 0;
  const listeners = new Set<(item: StoredItem) => void>();
  /** Keys of items being committed right now, so a concurrent retry is a duplicate too. */
  const pending = new Set<string>();
  const retention = options.retention ?? {};

  const indexRecord = (record: EnvelopeRecord, offset: number, length: number): number[] => {
    const ids: number[] = [];
    record.items.forEach((item, slot) => {
      const key = dedupeKey(record.projectId, item.type, item.headers, record.envelopeHeaders, item.payload, item.attachment?.size);
      const id = index.add({ offset, length, slot, type: item.type, projectId: record.projectId, receivedAt: record.receivedAt, key });
      if (item.attachment) {
        const name = path.basename(item.attachment.file);
        attachmentOf.set(id, { name, size: item.attachment.size });
        attachmentByName.set(name, id);
        attachmentBytes += item.attachment.size;
      }
      ids.push(id);
    });
    return ids;
  };

  let unreadable = 0;
  const log: RecordLog = await openRecordLog(logFile, warn, (body, offset) => {
    const record = decodeRecord(body);
    if (record) indexRecord(record, offset, body.length);
    else unreadable += 1;
  });
  await syncDir(dataDir);
  if (unreadable > 0) warn(`crashfree-collector: skipped ${unreadable} unreadable record(s) in ${logFile}`);
  await removeOrphans(attachmentDir, attachmentByName, warn);

  // Sequential readers parse each record once for all its items.
  let cached: { offset: number; record: EnvelopeRecord } | undefined;
  const load = (id: number, reader?: RecordReader): StoredItem | undefined => {
    const loc = index.get(id);
    if (!loc) return undefined;
    let record = cached?.offset === loc.offset ? cached.record : undefined;
    if (!record) {
      const body = reader ? reader.read(loc.offset, loc.length) : log.read(loc.offset, loc.length);
      record = body && decodeRecord(body);
      if (!record) return undefined;
      cached = { offset: loc.offset, record };
    }
    const item = record.items[loc.slot];
    return item && toStored(record, item, dataDir);
  };
  function* iterate(filter: ItemFilter = {}): Generator<StoredItem> {
    const reader = log.reader();
    for (const id of index.ids(filter)) {
      const item = load(id, reader);
      if (item) yield item;
    }
  }
  const isStored = (key: string): boolean => {
    if (pending.has(key)) return true;
    return index.candidates(key).some((id) => {
      const s = load(id);
      return s !== undefined && dedupeKey(s.projectId, s.type, s.headers, s.envelopeHeaders, s.payload, s.attachment?.size) === key;
    });
  };

  const totalBytes = () => log.end - log.base + attachmentBytes;
  const compactOnce = async (): Promise<CompactResult> => {
    const { cutId, droppedBytes } = retentionCut(index, retention, totalBytes(), (id) => attachmentOf.get(id)?.size ?? 0, Date.now());
    const droppedItems = cutId - index.firstId;
    if (droppedItems === 0) return { droppedItems: 0, droppedBytes: 0 };
    const cut = cutId < index.firstId + index.count ? index.offsetOf(cutId) - 8 : log.end;
    const names: string[] = [];
    await log.dropPrefix(cut, () => {
      index.dropBefore(cutId);
      for (const [id, att] of attachmentOf) {
        if (id >= cutId) break; // insertion order is id order
        names.push(att.name);
        attachmentBytes -= att.size;
        attachmentOf.delete(id);
        attachmentByName.delete(att.name);
      }
    });
    await Promise.all(names.map((name) => rm(path.join(attachmentDir, name), { force: true })));
    if (names.length > 0) await syncDir(attachmentDir);
    return { droppedItems, droppedBytes };
  };
  // One compaction at a time. A call while one runs gets the next one
  // (at most one waits), which starts after it and so judges the store as
  // it is then: when compact() resolves, the limits hold for everything
  // stored before the call.
  let compacting: Promise<CompactResult> | undefined;
  let nextCompaction: Promise<CompactResult> | undefined;
  const compact = (): Promise<CompactResult> => {
    if (!compacting) {
      compacting = compactOnce().finally(() => {
        compacting = undefined;
      });
      return compacting;
    }
    nextCompaction ??= compacting
      .catch(() => undefined)
      .then(() => {
        nextCompaction = undefined;
        return compact();
      });
    return nextCompaction;
  };
  const compactInBackground = (): void => {
    compact().catch((error: unknown) => warn(`crashfree-collector: retention compaction failed (will retry): ${String(error)}`));
  };
  if (retention.maxAgeMs !== undefined || retention.maxBytes !== undefined) await compact();
  const timer = retention.maxAgeMs === undefined ? undefined : setInterval(compactInBackground, Math.min(Math.max(retention.maxAgeMs / 4, 10), 600_000));
  timer?.unref();

  return {
    items: (filter) => [...iterate(filter)],
    iterate: (filter) => iterate(filter),
    event(projectId, eventId) {
      const key = `event|${projectId}|${eventId}`;
      for (const id of index.candidates(key)) {
        const s = load(id);
        if (s && s.type === 'event' && dedupeKey(s.projectId, s.type, s.headers, s.envelopeHeaders, s.payload, undefined) === key) return s;
      }
      return undefined;
    },
    attachment(id) {
      const found = attachmentByName.get(id);
      return found === undefined ? undefined : load(found);
    },
    async commit(envelope, receivedAt) {
      assertStorable(envelope, (type) => index.knowsType(type), index.typeCount);
      const { projectId, envelopeHeaders } = envelope;
      const reserved: string[] = [];
      const kept = envelope.items.filter((item) => {
        const key = dedupeKey(projectId, item.type, item.headers, envelopeHeaders, item.payload, item.file?.bytes.length);
        if (key === undefined) return true;
        if (isStored(key)) return false;
        pending.add(key);
        reserved.push(key);
        return true;
      });
      const duplicates = envelope.items.length - kept.length;
      if (kept.length === 0) return { stored: 0, duplicates };

      const written: string[] = [];
      try {
        const files: Array<{ file: string; bytes: Buffer }> = [];
        const items = kept.map((item): ItemRecord => {
          const record: ItemRecord = { type: item.type, headers: item.headers };
          if (item.file) {
            const file = path.join(ATTACHMENT_DIR, randomBytes(16).toString('hex'));
            files.push({ file, bytes: item.file.bytes });
            record.attachment = { file, size: item.file.bytes.length, ...fileMeta(item.file) };
          } else {
            record.payload = item.payload;
          }
          return record;
        });
        const record: EnvelopeRecord = { v: 1, projectId, receivedAt, envelopeHeaders, items };
        // Serialised before any file is written: nothing to undo if it fails.
        const body = Buffer.from(JSON.stringify(record), 'utf8');
        for (const f of files) {
          await writeAttachment(path.join(dataDir, f.file), f.bytes);
          written.push(path.join(dataDir, f.file));
        }
        if (written.length > 0) await syncDir(attachmentDir);
        const offset = await log.append(body);
        const ids = indexRecord(record, offset, body.length);
        for (const key of reserved) pending.delete(key);
        cached = { offset, record };
        for (const item of record.items) {
          const stored = toStored(record, item, dataDir);
          for (const listener of listeners) {
            try {
              listener(stored);
            } catch (error) {
              warn(`crashfree-collector: an item listener threw: ${String(error)}`);
            }
          }
        }
        if (retention.maxBytes !== undefined && totalBytes() > retention.maxBytes * 1.1) compactInBackground();
        return { stored: ids.length, duplicates };
      } catch (error) {
        for (const key of reserved) pending.delete(key);
        await Promise.all(written.map((p) => rm(p, { force: true }).catch(() => undefined)));
        throw error;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    compact,
    stats: () => ({ items: index.count, logBytes: log.end - log.base, attachmentBytes, indexBytes: index.bytes() }),
    async close() {
      if (timer) clearInterval(timer);
      listeners.clear();
      await nextCompaction?.catch(() => undefined);
      await compacting?.catch(() => undefined);
      await log.close();
    },
  };
}

/** A StoredItem as readers see it (fresh objects; the payload is the record's). */
function toStored(record: EnvelopeRecord, item: ItemRecord, dataDir: string): StoredItem {
  const stored: StoredItem = {
    type: item.type,
    projectId: record.projectId,
    headers: item.headers,
    envelopeHeaders: record.envelopeHeaders,
    payload: item.payload,
    receivedAt: record.receivedAt,
  };
  if (item.attachment) {
    const { file, ...meta } = item.attachment;
    stored.attachment = { path: path.join(dataDir, file), ...meta };
  }
  return stored;
}

/**
 * Attachment files are written before the record naming them, so a crash in
 * between leaves files no record names: nobody can see them, remove them.
 * (Retention removes files after their records, so it leaves none.)
 */
async function removeOrphans(dir: string, known: ReadonlyMap<string, number>, warn: (line: string) => void): Promise<void> {
  const names = await readdir(dir);
  const orphans = names.filter((name) => !known.has(name));
  await Promise.all(orphans.map((name) => rm(path.join(dir, name), { force: true, recursive: true })));
  // Files an older collector wrote world-readable become private too.
  await Promise.all(names.filter((name) => known.has(name)).map((name) => chmod(path.join(dir, name), FILE_MODE).catch(() => undefined)));
  if (orphans.length > 0) warn(`crashfree-collector: removed ${orphans.length} attachment file(s) of envelopes never committed (interrupted writes)`);
}

function decodeRecord(body: Buffer): EnvelopeRecord | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as EnvelopeRecord;
    if (value && value.v === 1 && typeof value.projectId === 'string' && Array.isArray(value.items)) return value;
  } catch {
    // counted by the caller
  }
  return undefined;
}

function fileMeta(file: PreparedFile): Omit<PreparedFile, 'bytes'> {
  const { bytes: _bytes, ...meta } = file;
  return meta;
}

async function writeAttachment(file: string, bytes: Buffer): Promise<void> {
  const handle = await openPrivate(file, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

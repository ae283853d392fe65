/**
 * The collector's store: every accepted envelope becomes one record in an
 * append-only log (see record-log.ts), attachments become files beside it,
 * and the in-memory index (items in arrival order, dedupe keys) is rebuilt
 * from the log at start. `commit` resolves only when everything it kept is
 * on disk; listeners hear about items after that.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StoredItem } from '../release-api.js';
import type { PreparedEnvelope, PreparedFile } from '../prepare.js';
import { dedupeKey } from './dedupe.js';
import { openRecordLog, type RecordLog } from './record-log.js';

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
  /** Stored items in arrival order, optionally filtered. */
  items(filter?: ItemFilter): StoredItem[];
  /** The stored attachment item whose file has base name `id`. */
  attachment(id: string): StoredItem | undefined;
  /** Stores the envelope's new items durably; duplicates are counted, not stored. */
  commit(envelope: PreparedEnvelope, receivedAt: number): Promise<CommitResult>;
  /** Listener called once per newly durable item; returns an unsubscribe. */
  subscribe(listener: (item: StoredItem) => void): () => void;
  close(): Promise<void>;
}

/** Opens the store in `dataDir`, replaying its log; damaged records are reported through `warn`. */
export async function openStorage(dataDir: string, warn: (line: string) => void): Promise<Storage> {
  const attachmentDir = path.join(dataDir, ATTACHMENT_DIR);
  await mkdir(attachmentDir, { recursive: true });
  const log: RecordLog = await openRecordLog(path.join(dataDir, LOG_FILE), warn);
  await syncDir(dataDir);

  const all: StoredItem[] = [];
  const seen = new Set<string>();
  const attachments = new Map<string, StoredItem>();
  const listeners = new Set<(item: StoredItem) => void>();

  const index = (record: EnvelopeRecord): StoredItem[] => {
    const added: StoredItem[] = [];
    for (const item of record.items) {
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
        const absolute = path.join(dataDir, file);
        stored.attachment = { path: absolute, ...meta };
        attachments.set(path.basename(file), stored);
      }
      const key = dedupeKey(record.projectId, item.type, item.headers, record.envelopeHeaders, item.payload, item.attachment?.size);
      if (key) seen.add(key);
      all.push(stored);
      added.push(stored);
    }
    return added;
  };

  let unreadable = 0;
  for (const body of log.records) {
    const record = decodeRecord(body);
    if (record) index(record);
    else unreadable += 1;
  }
  log.records.length = 0;
  if (unreadable > 0) warn(`crashfree-collector: skipped ${unreadable} unreadable record(s) in ${path.join(dataDir, LOG_FILE)}`);
  await removeOrphans(attachmentDir, attachments, warn);

  return {
    items(filter = {}) {
      return all.filter((i) => (!filter.type || i.type === filter.type) && (!filter.projectId || i.projectId === filter.projectId));
    },
    attachment(id) {
      return attachments.get(id);
    },
    async commit(envelope, receivedAt) {
      const { projectId, envelopeHeaders } = envelope;
      const reserved: string[] = [];
      const kept = envelope.items.filter((item) => {
        const key = dedupeKey(projectId, item.type, item.headers, envelopeHeaders, item.payload, item.file?.bytes.length);
        if (key === undefined) return true;
        if (seen.has(key)) return false;
        // Reserved before the write so a concurrent retry of the same
        // envelope is recognised as a duplicate too.
        seen.add(key);
        reserved.push(key);
        return true;
      });
      const duplicates = envelope.items.length - kept.length;
      if (kept.length === 0) return { stored: 0, duplicates };

      const written: string[] = [];
      try {
        const items: ItemRecord[] = [];
        for (const item of kept) {
          const record: ItemRecord = { type: item.type, headers: item.headers };
          if (item.file) {
            const file = await writeAttachment(dataDir, item.file);
            written.push(path.join(dataDir, file));
            record.attachment = { file, size: item.file.bytes.length, ...fileMeta(item.file) };
          } else {
            record.payload = item.payload;
          }
          items.push(record);
        }
        if (written.length > 0) await syncDir(attachmentDir);
        const record: EnvelopeRecord = { v: 1, projectId, receivedAt, envelopeHeaders, items };
        await log.append(Buffer.from(JSON.stringify(record), 'utf8'));
        const added = index(record);
        for (const item of added) {
          for (const listener of listeners) {
            try {
              listener(item);
            } catch (error) {
              warn(`crashfree-collector: an item listener threw: ${String(error)}`);
            }
          }
        }
        return { stored: kept.length, duplicates };
      } catch (error) {
        for (const key of reserved) seen.delete(key);
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
    async close() {
      listeners.clear();
      await log.close();
    },
  };
}

/**
 * Attachment files are written before the record naming them, so a crash in
 * between leaves files no record names: nobody can see them, remove them.
 */
async function removeOrphans(dir: string, known: ReadonlyMap<string, StoredItem>, warn: (line: string) => void): Promise<void> {
  const orphans = (await readdir(dir)).filter((name) => !known.has(name));
  await Promise.all(orphans.map((name) => rm(path.join(dir, name), { force: true, recursive: true })));
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

async function writeAttachment(dataDir: string, file: PreparedFile): Promise<string> {
  const relative = path.join(ATTACHMENT_DIR, randomBytes(16).toString('hex'));
  const handle = await open(path.join(dataDir, relative), 'wx');
  try {
    await handle.writeFile(file.bytes);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return relative;
}

/** fsync a directory so newly created entries in it survive a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

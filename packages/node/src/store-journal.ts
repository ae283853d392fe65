/**
 * The run's journal: the file Store's cheap synchronous write (`appendSync`),
 * so a captured event is on disk when `captureException` returns. One
 * `write(2)` appends the value to this run's `.journal-<pid>-<id>` file, kept
 * open: the page cache survives the death of the process (SIGKILL, OOM, a
 * native crash); a power loss does not, until the value reaches its own file,
 * which happens in the background right after (temp + fsync + rename, as
 * `set`). Once every value in the journal has reached its file (or was
 * deleted), the journal is truncated, so it stays small; a clean exit removes
 * it. The next launch replays a dead run's journal into files and deletes it
 * (`replay`), before it lists the store.
 *
 * Record: `<p|d> <key bytes> <s|b> <value bytes> <crc32 hex>\n<key><value>`;
 * a torn last record (the process died inside the write) fails its length or
 * CRC and is ignored with everything after it.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { StoreValue } from '@crashfree/core';

/** Journal files start with this (a dot: the store's listing never shows them). */
export const JOURNAL_MARK = '.journal-';

/** What the journal needs from its store. */
export interface JournalContext {
  dir: string;
  /** The store's writer tag (store-visibility.ts), stamped into the journal's header like into every file. */
  writer?: string;
  /** Writes `value` to `key`'s own file (atomic, fsync'd). */
  write(key: string, value: StoreValue): Promise<void>;
  /** Removes `key`'s own file. */
  remove(key: string): Promise<void>;
  warn(message: string): void;
}

/** A key's value as the journal holds it: `null` when the journal deleted it. */
export type JournalValue = StoreValue | null;

/** See the file comment. */
export interface Journal {
  /** Whether the journal holds `key` (then its value wins over the key's file, which may lag behind). */
  has(key: string): boolean;
  /** The held value (null: deleted); undefined when not held. */
  get(key: string): JournalValue | undefined;
  /** Appends `value` for `key` synchronously (with `fsync`, durable against power loss too); its file follows in the background. */
  put(key: string, value: StoreValue, fsync?: boolean): void;
  /** Appends a delete of `key` synchronously; its file is removed in the background. */
  remove(key: string): void;
  /** Resolves when `key`'s file matches what the journal holds. */
  settled(key: string): Promise<void>;
  /** Every held key and whether it is deleted. */
  held(): IterableIterator<[string, JournalValue]>;
  /** Replays the journals of dead runs (`mine` decides which) into files and deletes them. Never throws. */
  replay(mine: (file: string, pid: number) => Promise<boolean>): Promise<void>;
}

interface Slot {
  value: JournalValue;
  /** The file write (or removal) running for this key; it loops while `dirty`. */
  writing?: Promise<void>;
  dirty: boolean;
}

const encodeRecord = (op: 'p' | 'd', key: string, value: StoreValue | undefined): Buffer => {
  const k = Buffer.from(key, 'utf8');
  const v = value === undefined ? Buffer.alloc(0) : typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const body = Buffer.concat([k, v]);
  const head = `${op} ${k.length} ${typeof value === 'string' ? 's' : 'b'} ${v.length} ${crc32(body).toString(16)}\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
};

/** The records of a journal's bytes, in order, up to the first torn or unreadable one. */
export function parseJournal(bytes: Buffer): Array<{ key: string; value: JournalValue }> {
  const out: Array<{ key: string; value: JournalValue }> = [];
  let at = bytes.indexOf(0x0a) + 1; // after the file header
  while (at > 0 && at < bytes.length) {
    const nl = bytes.indexOf(0x0a, at);
    if (nl < 0 || nl - at > 64) break;
    const [op, kl, kind, vl, crc] = bytes.subarray(at, nl).toString('latin1').split(' ');
    const keyLen = Number(kl);
    const valueLen = Number(vl);
    const end = nl + 1 + keyLen + valueLen;
    if ((op !== 'p' && op !== 'd') || !Number.isInteger(keyLen) || !Number.isInteger(valueLen) || end > bytes.length) break;
    const body = bytes.subarray(nl + 1, end);
    if (crc32(body).toString(16) !== crc) break;
    const key = body.subarray(0, keyLen).toString('utf8');
    const v = body.subarray(keyLen);
    out.push({ key, value: op === 'd' ? null : kind === 's' ? v.toString('utf8') : new Uint8Array(v) });
    at = end;
  }
  return out;
}

/** Creates this run's journal (its file is opened on the first write). */
export function createJournal(ctx: JournalContext): Journal {
  const name = `${JOURNAL_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const file = path.join(ctx.dir, name);
  const header = Buffer.from(`CF1 j 0 0${ctx.writer ? ` ${ctx.writer}` : ''}\n`, 'latin1');
  const slots = new Map<string, Slot>();
  let fd: number | undefined;
  let size = 0;

  const append = (record: Buffer, fsync: boolean): void => {
    if (fd === undefined) {
      fd = fs.openSync(file, 'a', 0o600);
      fs.writeSync(fd, header);
      size = header.length;
      // A clean exit leaves no journal behind when everything in it has reached its file.
      process.once('exit', () => {
        if (fd !== undefined && [...slots.values()].every((s) => !s.writing && !s.dirty)) fs.rmSync(file, { force: true });
      });
    }
    fs.writeSync(fd, record);
    size += record.length;
    if (fsync) fs.fdatasyncSync(fd);
  };

  /** When nothing held is still on its way to a file, the journal's records are all redundant: start it afresh. */
  const compact = (): void => {
    for (const s of slots.values()) if (s.writing || s.dirty) return;
    slots.clear();
    if (fd !== undefined && size > header.length) {
      try {
        fs.ftruncateSync(fd, header.length);
        size = header.length;
      } catch {
        // Kept as it is: replay of a longer journal is only slower.
      }
    }
  };

  const settle = (key: string, slot: Slot): void => {
    if (slot.writing) return;
    // Started after the caller's synchronous code (a microtask): the capture path pays for the append only.
    slot.writing = Promise.resolve().then(async () => {
      while (slot.dirty) {
        slot.dirty = false;
        const value = slot.value;
        try {
          if (value === null) await ctx.remove(key);
          else await ctx.write(key, value);
        } catch (e) {
          // The journal still holds it: the next launch replays it.
          ctx.warn(`[crashfree] could not write ${key} to its file (${String(e)}); it stays in the journal.`);
          return;
        }
      }
      slot.writing = undefined;
      compact();
    });
  };

  const hold = (key: string, value: JournalValue, fsync: boolean): void => {
    append(encodeRecord(value === null ? 'd' : 'p', key, value ?? undefined), fsync);
    const slot = slots.get(key) ?? { value, dirty: false };
    slot.value = value;
    slot.dirty = true;
    slots.set(key, slot);
    settle(key, slot);
  };

  return {
    has: (key) => slots.has(key),
    get: (key) => slots.get(key)?.value,
    put: (key, value, fsync = false) => hold(key, value, fsync),
    remove: (key) => hold(key, null, false),
    settled: async (key) => {
      await slots.get(key)?.writing;
    },
    held: () => [...slots].map(([k, s]) => [k, s.value] as [string, JournalValue])[Symbol.iterator](),
    async replay(mine) {
      let names: string[];
      try {
        names = await fsp.readdir(ctx.dir);
      } catch {
        return;
      }
      for (const other of names) {
        if (!other.startsWith(JOURNAL_MARK) || other === name) continue;
        const at = path.join(ctx.dir, other);
        try {
          if (!(await mine(at, Number(other.slice(JOURNAL_MARK.length).split('-')[0])))) continue;
          const last = new Map<string, JournalValue>();
          for (const { key, value } of parseJournal(await fsp.readFile(at))) last.set(key, value);
          for (const [key, value] of last) {
            if (value === null) await ctx.remove(key);
            else await ctx.write(key, value);
          }
          await fsp.rm(at, { force: true });
        } catch (e) {
          ctx.warn(`[crashfree] could not replay ${at} (${String(e)}); it is tried again next launch.`);
        }
      }
    },
  };
}

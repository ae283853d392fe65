/**
 * The file Store: the core's queue, session state and crash records as files
 * under one directory. Every write is atomic (temp file + fsync + rename), so
 * a crash mid-write leaves the old value or the new one, never a mix; every
 * file carries a small header with its length and CRC-32, so a truncated or
 * scribbled file is detected, moved aside with one warning and never fatal.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Store, StoreValue } from '@crashfree/core';
import { decodeValue, encodeValue } from './store-format.js';
import type { Visibility } from './store-visibility.js';
import { createJournal } from './store-journal.js';

export { decodeValue, encodeValue } from './store-format.js';

/** Mode bits for the data dir and everything below it: crash data can hold user data. */
export const DIR_MODE = 0o700;
/** Mode bits for every file the SDK writes. */
export const FILE_MODE = 0o600;

const TEMP_MARK = '.tmp-';
const KEY_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._:-]*$/;

/** Options of {@link createFileStore}. */
export interface FileStoreOptions {
  /** Where values live; created 0700 when missing. */
  dir: string;
  /** Where unreadable files are moved, so they warn once and never block the rest. */
  quarantineDir: string;
  /** Receives the one warning per corrupt file. */
  warn: (message: string) => void;
  /** For a data dir shared by several runs: stamps this run's files and hides other runs' (see store-visibility.ts). */
  visibility?: Visibility;
}

/** A Store over files that also offers `setSync` for the fatal-crash path. */
export interface FileStore extends Store {
  setSync(key: string, value: StoreValue): void;
  /** `set` done when it returns, against the death of the process (one append to this run's journal, no fsync; store-journal.ts). */
  appendSync(key: string, value: StoreValue): void;
  /** Atomic write that survives process death when it returns (page cache); the fsyncs follow in the background. */
  setSyncCached(key: string, value: StoreValue): void;
  /** Synchronous read, for exit paths where no promise will resolve (corrupt files count as absent). */
  getSync(key: string): StoreValue | undefined;
  /** Synchronous delete, for exit paths where no promise will resolve. */
  deleteSync(key: string): void;
  /** Removes temp files left by runs that died mid-write (their pid is gone). Never throws. */
  sweepTemps(): Promise<void>;
  /**
   * From now on, do every operation synchronously (the returned promises are
   * already settled). For the fatal path: the app must not get an event-loop
   * turn while the crash is being delivered, and async fs needs one.
   */
  enterSyncMode(): void;
  /** The directory the store writes into. */
  readonly dir: string;
}

/** Quarantined files kept in `corrupt/`; older ones are deleted, so repeated corruption cannot fill the disk. */
export const MAX_QUARANTINED = 20;

/**
 * Creates `dir` and its missing parents, one level at a time, and returns
 * its mode bits. Not `mkdirSync(dir, { recursive: true })`: under /proc (and
 * other virtual filesystems where mkdir answers ENOENT for a parent that
 * exists) Node's recursive mkdir retries forever and hangs the thread. Each
 * level here is tried once, so this always ends, with the first real error.
 * An existing directory costs one stat (init pays this on every launch).
 */
function mkdirParents(dir: string, depth = 0): number {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (stat) {
    if (stat.isDirectory()) return stat.mode & 0o777;
    throw Object.assign(new Error(`ENOTDIR: a file is in the way, ${dir} is not a directory`), { code: 'ENOTDIR' });
  }
  const parent = path.dirname(dir);
  if (parent !== dir && depth < 64) mkdirParents(parent, depth + 1);
  try {
    fs.mkdirSync(dir, { mode: DIR_MODE });
  } catch (error) {
    // Created meanwhile by another process starting over the same data dir.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw error;
  }
  return -1;
}

/** Creates `dir` (and parents) 0700; an existing directory is tightened to 0700. Throws the first real error, never hangs. */
export function ensurePrivateDir(dir: string): void {
  if (mkdirParents(dir) === DIR_MODE) return;
  try {
    fs.chmodSync(dir, DIR_MODE);
  } catch {
    // Not ours to change (e.g. a shared mount); the files themselves stay 0600.
  }
}

/** Writes `data` to `file` atomically and durably (temp + fsync + rename + dir fsync), 0600. */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, fsync = true): void {
  const tmp = `${file}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = fs.openSync(tmp, 'wx', FILE_MODE);
  try {
    fs.writeFileSync(fd, data);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  if (fsync) fsyncDirSync(path.dirname(file));
}

/** Background fsync of `file` and its directory (what `setSyncCached` defers); best effort, never rejects. */
async function fsyncLater(file: string): Promise<void> {
  for (const target of [file, path.dirname(file)]) {
    try {
      const handle = await fsp.open(target, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Replaced or removed meanwhile (a newer write has its own fsync coming), or a directory that refuses fsync.
    }
  }
}

function fsyncDirSync(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2)}`;
  const handle = await fsp.open(tmp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (error) {
    await fsp.rm(tmp, { force: true });
    throw error;
  }
  try {
    const dirHandle = await fsp.open(path.dirname(file), 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    // See fsyncDirSync.
  }
}

/**
 * A Store rooted at `options.dir`. Keys are `/`-separated segments of
 * `[A-Za-z0-9._:-]` (no `..`, no leading dot); a bad key throws, because it is
 * a bug in the caller, never user data.
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const { dir, quarantineDir, warn, visibility } = options;
  const writer = visibility?.writer;
  const entriesOf = (keys: string[]) => keys.map((key) => ({ key, file: path.join(dir, ...key.split('/')) }));
  ensurePrivateDir(dir);

  const fileOf = (key: string): string => {
    const segments = key.split('/');
    if (segments.length === 0 || !segments.every((s) => KEY_SEGMENT.test(s) && !s.includes(TEMP_MARK))) {
      throw new TypeError(`crashfree store: invalid key ${JSON.stringify(key)}`);
    }
    return path.join(dir, ...segments);
  };

  const quarantine = (key: string, file: string, reason: string): void => {
    try {
      ensurePrivateDir(quarantineDir);
      fs.renameSync(file, path.join(quarantineDir, `${key.replace(/\//g, '_')}-${Date.now()}`));
      trimQuarantine(quarantineDir);
    } catch {
      fs.rmSync(file, { force: true });
    }
    warn(`[crashfree] skipped corrupt file ${file} (${reason}); moved it to ${quarantineDir}`);
  };

  const ensureParent = (file: string): void => {
    const parent = path.dirname(file);
    if (parent !== dir) ensurePrivateDir(parent);
  };

  const readChecked = (key: string, bytes: Buffer): StoreValue | undefined => {
    const value = decodeValue(bytes);
    if (typeof value === 'object' && 'corrupt' in value) {
      quarantine(key, fileOf(key), value.corrupt);
      return undefined;
    }
    return value;
  };
  // Keys written through appendSync: their journal value wins until their files caught up (store-journal.ts).
  const journal = createJournal({
    dir,
    ...(writer !== undefined && { writer }),
    // Tracked like every async operation: sync mode (the fatal path) finishes them without an event-loop turn.
    write: (key, value) => {
      const file = fileOf(key);
      const bytes = encodeValue(value, writer);
      ensureParent(file);
      return track(() => writeFileAtomic(file, bytes), () => writeFileAtomicSync(file, bytes));
    },
    remove: (key) => track(() => fsp.rm(fileOf(key), { force: true }), () => fs.rmSync(fileOf(key), { force: true })),
    warn,
  });
  let replayed: Promise<void> | undefined;
  const replayDeadJournals = (): Promise<void> =>
    (replayed ??= journal.replay(async (file, pid) => (visibility ? (await visibility.filter([{ key: file, file }])).length > 0 : pid !== process.pid && pidGone(pid))));
  const withJournal = (keys: string[], prefix: string): string[] => {
    const all = new Set(keys);
    for (const [key, value] of journal.held()) {
      if (value === null) all.delete(key);
      else if (key.startsWith(prefix)) all.add(key);
    }
    return [...all].sort();
  };
  const getSync = (key: string): StoreValue | undefined => {
    if (journal.has(key)) return journal.get(key) ?? undefined;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(fileOf(key));
    } catch {
      return undefined;
    }
    return readChecked(key, bytes);
  };
  const setSync = (key: string, value: StoreValue): void => {
    if (journal.has(key)) return journal.put(key, value, true);
    const file = fileOf(key);
    ensureParent(file);
    writeFileAtomicSync(file, encodeValue(value, writer));
  };
  const setSyncCached = (key: string, value: StoreValue): void => {
    if (journal.has(key)) return journal.put(key, value);
    const file = fileOf(key);
    ensureParent(file);
    writeFileAtomicSync(file, encodeValue(value, writer), false);
    // On a later turn: the first async open of a process costs milliseconds, which init must not pay.
    setImmediate(() => void fsyncLater(file)).unref();
  };
  const deleteSync = (key: string): void => (journal.has(key) ? journal.remove(key) : fs.rmSync(fileOf(key), { force: true }));
  const keysSync = (prefix: string): string[] => {
    const out: string[] = [];
    walkSync(dir, '', out);
    const keys = out.filter((k) => k.startsWith(prefix)).sort();
    return withJournal(visibility ? visibility.filterSync(entriesOf(keys)) : keys, prefix);
  };
  let sync = false;
  // Async operations still in flight. Entering sync mode redoes each one
  // synchronously and settles its promise, so callers waiting on them (the
  // core's queue) continue in microtasks instead of waiting for the thread pool.
  const inFlight = new Set<{ redo: () => unknown; resolve: (v: never) => void; reject: (e: unknown) => void }>();
  const track = <T>(work: () => Promise<T>, redo: () => T): Promise<T> => {
    if (sync) {
      try {
        return Promise.resolve(redo());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const op = { redo, resolve: resolve as (v: never) => void, reject };
      inFlight.add(op);
      work().then(
        (v) => {
          if (inFlight.delete(op)) resolve(v);
        },
        (e: unknown) => {
          if (inFlight.delete(op)) reject(e);
        },
      );
    });
  };

  return {
    dir,
    async sweepTemps() {
      await sweep(dir);
    },
    enterSyncMode() {
      sync = true;
      for (const op of [...inFlight]) {
        inFlight.delete(op);
        try {
          op.resolve(op.redo() as never);
        } catch (e) {
          op.reject(e);
        }
      }
    },
    get(key) {
      if (journal.has(key)) return Promise.resolve(getSync(key));
      return track(async () => {
        let bytes: Buffer;
        try {
          bytes = await fsp.readFile(fileOf(key));
        } catch {
          return undefined;
        }
        return readChecked(key, bytes);
      }, () => getSync(key));
    },
    set(key, value) {
      if (journal.has(key)) {
        journal.put(key, value);
        return journal.settled(key);
      }
      return track(async () => {
        const file = fileOf(key);
        ensureParent(file);
        await writeFileAtomic(file, encodeValue(value, writer));
      }, () => setSync(key, value));
    },
    setSync,
    appendSync(key, value) {
      fileOf(key); // a bad key throws here, as in set
      journal.put(key, value);
    },
    setSyncCached,
    getSync,
    delete(key) {
      if (journal.has(key)) {
        journal.remove(key);
        return journal.settled(key);
      }
      return track(() => fsp.rm(fileOf(key), { force: true }), () => deleteSync(key));
    },
    deleteSync,
    keys(prefix = '') {
      return track(async () => {
        await replayDeadJournals();
        const out: string[] = [];
        await walk(dir, '', out);
        const keys = out.filter((k) => k.startsWith(prefix)).sort();
        return withJournal(visibility ? await visibility.filter(entriesOf(keys)) : keys, prefix);
      }, () => keysSync(prefix));
    },
  };
}

/** Keeps the newest {@link MAX_QUARANTINED} files of `dir` (names end in their quarantine time). */
function trimQuarantine(dir: string): void {
  const stamp = (name: string): number => Number(name.slice(name.lastIndexOf('-') + 1)) || 0;
  const names = fs.readdirSync(dir).sort((a, b) => stamp(a) - stamp(b));
  for (const name of names.slice(0, Math.max(0, names.length - MAX_QUARANTINED))) fs.rmSync(path.join(dir, name), { force: true });
}

/**
 * A FileStore that keeps everything in memory, for a data dir that cannot be
 * written: the SDK still sends live, nothing survives the process.
 */
export function createMemoryFileStore(dir: string): FileStore {
  const data = new Map<string, StoreValue>();
  const copy = (v: StoreValue): StoreValue => (typeof v === 'string' ? v : v.slice());
  const getSync = (key: string): StoreValue | undefined => {
    const v = data.get(key);
    return v === undefined ? undefined : copy(v);
  };
  const setSync = (key: string, value: StoreValue): void => void data.set(key, copy(value));
  const deleteSync = (key: string): void => void data.delete(key);
  return {
    dir,
    get: async (key) => getSync(key),
    set: async (key, value) => setSync(key, value),
    delete: async (key) => deleteSync(key),
    keys: async (prefix = '') => [...data.keys()].filter((k) => k.startsWith(prefix)).sort(),
    getSync,
    setSync,
    // Memory has no page cache to wait for: the cached write is the write.
    setSyncCached: setSync,
    appendSync: setSync,
    deleteSync,
    sweepTemps: async () => undefined,
    enterSyncMode: () => undefined,
  };
}

/** Whether no process has this pid any more (a pid we may not signal still exists). For temp files named after their writer. */
export function pidGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

async function sweep(at: string): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(at, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const file = path.join(at, entry.name);
    if (entry.isDirectory()) {
      await sweep(file);
      continue;
    }
    const mark = entry.name.indexOf(TEMP_MARK);
    if (mark < 0) continue;
    const pid = Number(entry.name.slice(mark + TEMP_MARK.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    // A live writer may still be at it.
    if (pidGone(pid)) await fsp.rm(file, { force: true }).catch(() => undefined);
  }
}

function listable(entry: fs.Dirent): boolean {
  return !entry.name.startsWith('.') && !entry.name.includes(TEMP_MARK);
}

function walkSync(root: string, rel: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!listable(entry)) continue;
    const key = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walkSync(root, key, out);
    else if (entry.isFile()) out.push(key);
  }
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!listable(entry)) continue;
    const key = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walk(root, key, out);
    else if (entry.isFile()) out.push(key);
  }
}

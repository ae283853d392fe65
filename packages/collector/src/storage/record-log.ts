/**
 * An append-only file of length-prefixed, checksummed records: the
 * collector's durable storage. Each record is
 *   u32 LE body length | u32 LE crc32(body) | body
 * Appends are group-committed (one write + one fdatasync for every record
 * queued meanwhile) and a record's promise resolves only once it is on disk.
 * Opening streams the file (a bounded window, never the whole log in
 * memory) and tolerates a torn tail (a crash mid-append): the partial record
 * is dropped with one warning and the file truncated so later appends stay
 * readable.
 *
 * Records are addressed by a logical offset that never changes while the
 * log is open: `dropPrefix` (retention) rewrites the file without its oldest
 * records and moves `base` forward, so offsets held by the index stay valid
 * and an offset below `base` simply reads as gone.
 */
import { closeSync, readSync } from 'node:fs';
import { rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { openPrivate, openPrivateSync, syncDir } from './private-fs.js';

const HEADER_BYTES = 8;
/** Read window while scanning, reading sequentially or copying. */
const WINDOW_BYTES = 4 * 1024 * 1024;

interface Pending {
  frame: Buffer;
  resolve: (offset: number) => void;
  reject: (error: Error) => void;
}

/** Sequential reads with one window of read-ahead; see `RecordLog.reader`. */
export interface RecordReader {
  /** The record body at logical `offset`, or undefined when retention dropped it. Valid until the next call. */
  read(offset: number, length: number): Buffer | undefined;
}

/** An open log: append, read back by offset, drop the oldest records. */
export interface RecordLog {
  /** Logical offset of the first byte still in the file (0 until `dropPrefix`). */
  readonly base: number;
  /** Logical offset just past the last durable record. */
  readonly end: number;
  /** Appends one record; resolves with its body's logical offset once durable (fdatasync done). */
  append(body: Buffer): Promise<number>;
  /** Reads one record body (a fresh buffer); undefined when it was dropped. */
  read(offset: number, length: number): Buffer | undefined;
  /** A reader for many reads in file order (one large read serves many records). */
  reader(): RecordReader;
  /**
   * Removes every record before logical offset `cut` (a record boundary):
   * the rest is copied to a new file that atomically replaces the log.
   * Appends continue meanwhile; they wait only for the final switch.
   * `onSwitch` runs in the same synchronous turn as the switch.
   */
  dropPrefix(cut: number, onSwitch?: () => void): Promise<void>;
  /** Waits for queued appends, then closes the file. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed, 0600) the log at `file`, calling `onRecord` for
 * every intact record in order (the body is a view valid only during the
 * call), and reports damaged ones through `warn` (one line each problem).
 */
export async function openRecordLog(
  file: string,
  warn: (line: string) => void,
  onRecord: (body: Buffer, offset: number) => void,
): Promise<RecordLog> {
  const handle = await openPrivate(file, 'a+');
  let end: number;
  try {
    end = await scan(handle, file, warn, onRecord);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return createLog(file, handle, end);
}

async function scan(handle: FileHandle, file: string, warn: (line: string) => void, onRecord: (body: Buffer, offset: number) => void): Promise<number> {
  const size = (await handle.stat()).size;
  let window = Buffer.allocUnsafe(Math.min(WINDOW_BYTES, Math.max(size, HEADER_BYTES)));
  let windowStart = 0;
  let windowLength = 0;
  const bytes = async (at: number, n: number): Promise<Buffer> => {
    if (at >= windowStart && at + n <= windowStart + windowLength) return window.subarray(at - windowStart, at - windowStart + n);
    if (window.length < n) window = Buffer.allocUnsafe(n);
    const { bytesRead } = await handle.read(window, 0, Math.max(n, Math.min(window.length, size - at)), at);
    windowStart = at;
    windowLength = bytesRead;
    return window.subarray(0, Math.min(n, bytesRead));
  };

  let pos = 0;
  let skipped = 0;
  while (pos < size) {
    const remaining = size - pos;
    const head = remaining >= HEADER_BYTES ? await bytes(pos, HEADER_BYTES) : undefined;
    const length = head ? head.readUInt32LE(0) : -1;
    const checksum = head ? head.readUInt32LE(4) : 0;
    // Bodies are never empty, so a zero length is a zero-filled tail left by
    // a crash (the file grew but the data never landed), like a short one.
    if (length <= 0 || HEADER_BYTES + length > remaining) {
      // The last append never completed: nothing after it can be valid.
      warn(`crashfree-collector: ${file}: dropped an incomplete record at byte ${pos} (${remaining} bytes, torn write); truncating`);
      await handle.truncate(pos);
      await handle.datasync();
      return pos;
    }
    const frame = await bytes(pos, HEADER_BYTES + length);
    const body = frame.subarray(HEADER_BYTES);
    if (crc32(body) !== checksum) skipped += 1;
    else onRecord(body, pos + HEADER_BYTES);
    pos += HEADER_BYTES + length;
  }
  if (skipped > 0) warn(`crashfree-collector: ${file}: skipped ${skipped} record(s) with a bad checksum`);
  return pos;
}

function createLog(file: string, initial: FileHandle, initialEnd: number): RecordLog {
  let handle = initial;
  let readFd = openPrivateSync(file, 'r');
  let base = 0;
  let end = initialEnd;
  /** Bumped at each switch of file, so readers drop windows of the old one. */
  let generation = 0;
  let queue: Pending[] = [];
  let draining = false;
  let closed = false;
  // One writer at a time: a batch, or the final switch of a compaction.
  let lockTail: Promise<void> = Promise.resolve();
  const locked = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lockTail.then(fn);
    lockTail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  const writeBatch = async (batch: Pending[]): Promise<void> => {
    const start = end;
    const chunk = Buffer.concat(batch.map((p) => p.frame));
    try {
      let written = 0;
      while (written < chunk.length) {
        // Positioned: after a truncate (a failed batch) the next batch lands
        // exactly at the end, in either file mode.
        const { bytesWritten } = await handle.write(chunk, written, chunk.length - written, start - base + written);
        written += bytesWritten;
      }
      await handle.datasync();
    } catch (error) {
      // Take back whatever part of the batch landed, so a refused request
      // leaves nothing a restart could replay.
      await handle.truncate(start - base).catch(() => undefined);
      const err = error instanceof Error ? error : new Error(String(error));
      for (const p of batch) p.reject(err);
      return;
    }
    end = start + chunk.length;
    let at = start;
    for (const p of batch) {
      p.resolve(at + HEADER_BYTES);
      at += p.frame.length;
    }
  };

  const drain = async (): Promise<void> => {
    draining = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      await locked(() => writeBatch(batch));
    }
    draining = false;
  };
  let drained: Promise<void> = Promise.resolve();

  const readAt = (target: Buffer, length: number, physical: number): boolean => {
    let got = 0;
    while (got < length) {
      const n = readSync(readFd, target, got, length - got, physical + got);
      if (n === 0) return false;
      got += n;
    }
    return true;
  };

  const copy = async (to: FileHandle, from: number, until: number): Promise<void> => {
    const buf = Buffer.allocUnsafe(WINDOW_BYTES);
    for (let at = from; at < until; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, until - at), at - base);
      if (bytesRead === 0) throw new Error(`${file}: ended at ${at - base} while compacting (expected ${until - base} bytes)`);
      let written = 0;
      while (written < bytesRead) written += (await to.write(buf, written, bytesRead - written)).bytesWritten;
      at += bytesRead;
    }
  };

  return {
    get base() {
      return base;
    },
    get end() {
      return end;
    },
    append(body) {
      if (closed) return Promise.reject(new Error('record log is closed'));
      const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
      frame.writeUInt32LE(body.length, 0);
      frame.writeUInt32LE(crc32(body), 4);
      body.copy(frame, HEADER_BYTES);
      return new Promise<number>((resolve, reject) => {
        queue.push({ frame, resolve, reject });
        if (!draining) drained = drain();
      });
    },
    read(offset, length) {
      if (offset - HEADER_BYTES < base || offset + length > end) return undefined;
      const out = Buffer.allocUnsafe(length);
      return readAt(out, length, offset - base) ? out : undefined;
    },
    reader() {
      let window = Buffer.alloc(0);
      let windowStart = 0;
      let windowLength = 0;
      let windowGeneration = -1;
      return {
        read(offset, length) {
          if (offset - HEADER_BYTES < base || offset + length > end) return undefined;
          if (windowGeneration !== generation || offset < windowStart || offset + length > windowStart + windowLength) {
            const size = Math.min(Math.max(length, WINDOW_BYTES), end - offset);
            if (window.length < size) window = Buffer.allocUnsafe(size);
            let got = 0;
            while (got < size) {
              const n = readSync(readFd, window, got, size - got, offset - base + got);
              if (n === 0) break;
              got += n;
            }
            windowStart = offset;
            windowLength = got;
            windowGeneration = generation;
            if (got < length) return undefined;
          }
          return window.subarray(offset - windowStart, offset - windowStart + length);
        },
      };
    },
    async dropPrefix(cut, onSwitch) {
      if (cut <= base) return;
      if (cut > end) throw new RangeError(`cut ${cut} is past the end of the log (${end})`);
      const tmp = `${file}.compact`;
      const next = await openPrivate(tmp, 'w+');
      let nextFd: number | undefined;
      try {
        // Most of the copy runs while appends go on; only the tail appended
        // meanwhile is copied under the lock.
        const copied = end;
        await copy(next, cut, copied);
        await locked(async () => {
          await copy(next, copied, end);
          await next.datasync();
          nextFd = openPrivateSync(tmp, 'r');
          await rename(tmp, file);
          await syncDir(path.dirname(file));
          // The switch: one synchronous turn, so no reader sees a new file
          // with the old base.
          const oldHandle = handle;
          const oldFd = readFd;
          handle = next;
          readFd = nextFd;
          nextFd = undefined;
          base = cut;
          generation += 1;
          onSwitch?.();
          closeSync(oldFd);
          await oldHandle.close();
        });
      } catch (error) {
        if (handle !== next) {
          await next.close().catch(() => undefined);
          if (nextFd !== undefined) closeSync(nextFd);
          await rm(tmp, { force: true });
        }
        throw error;
      }
    },
    async close() {
      closed = true;
      await drained;
      await lockTail;
      closeSync(readFd);
      await handle.close();
    },
  };
}

/**
 * An append-only file of length-prefixed, checksummed records: the
 * collector's durable storage. Each record is
 *   u32 LE body length | u32 LE crc32(body) | body
 * Appends are group-committed (one write + one fdatasync for every record
 * queued meanwhile) and a record's promise resolves only once it is on disk.
 * Reading it back tolerates a torn tail (a crash mid-append): the partial
 * record is dropped with one warning and the file truncated so later appends
 * stay readable.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

const HEADER_BYTES = 8;

interface Pending {
  frame: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** What `openRecordLog` recovered plus the handle to append more. */
export interface RecordLog {
  /** Record bodies found at open, in order (views into one read buffer). */
  readonly records: Buffer[];
  /** Appends one record; resolves when it is durable (fdatasync done). */
  append(body: Buffer): Promise<void>;
  /** Waits for queued appends, then closes the file. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the log at `path`, reads every intact record and
 * reports damaged ones through `warn` (one line each problem).
 */
export async function openRecordLog(path: string, warn: (line: string) => void): Promise<RecordLog> {
  const handle = await open(path, 'a+');
  let records: Buffer[];
  try {
    records = await readRecords(handle, path, warn);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return createAppender(handle, records);
}

async function readRecords(handle: FileHandle, path: string, warn: (line: string) => void): Promise<Buffer[]> {
  const data = await handle.readFile();
  const records: Buffer[] = [];
  let pos = 0;
  let skipped = 0;
  while (pos < data.length) {
    const remaining = data.length - pos;
    const length = remaining >= HEADER_BYTES ? data.readUInt32LE(pos) : -1;
    // Bodies are never empty, so a zero length is a zero-filled tail left by
    // a crash (the file grew but the data never landed), like a short one.
    if (length <= 0 || HEADER_BYTES + length > remaining) {
      // The last append never completed: nothing after it can be valid.
      warn(`crashfree-collector: ${path}: dropped an incomplete record at byte ${pos} (${remaining} bytes, torn write); truncating`);
      await handle.truncate(pos);
      await handle.datasync();
      break;
    }
    const body = data.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + length);
    if (crc32(body) !== data.readUInt32LE(pos + 4)) {
      skipped += 1;
    } else {
      // A view, not a copy: the caller decodes and drops them right away.
      records.push(body);
    }
    pos += HEADER_BYTES + length;
  }
  if (skipped > 0) warn(`crashfree-collector: ${path}: skipped ${skipped} record(s) with a bad checksum`);
  return records;
}

function createAppender(handle: FileHandle, records: Buffer[]): RecordLog {
  let queue: Pending[] = [];
  let writing: Promise<void> | undefined;
  let closed = false;

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const chunk = Buffer.concat(batch.map((p) => p.frame));
        let written = 0;
        while (written < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
          written += bytesWritten;
        }
        await handle.datasync();
        for (const p of batch) p.resolve();
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        for (const p of batch) p.reject(err);
      }
    }
    writing = undefined;
  };

  return {
    records,
    append(body: Buffer): Promise<void> {
      if (closed) return Promise.reject(new Error('record log is closed'));
      const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
      frame.writeUInt32LE(body.length, 0);
      frame.writeUInt32LE(crc32(body), 4);
      body.copy(frame, HEADER_BYTES);
      return new Promise<void>((resolve, reject) => {
        queue.push({ frame, resolve, reject });
        writing ??= drain();
      });
    },
    async close(): Promise<void> {
      closed = true;
      await writing;
      await handle.close();
    },
  };
}

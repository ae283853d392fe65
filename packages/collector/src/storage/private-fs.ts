/**
 * Creating the collector's paths private to its user: files 0600 and
 * directories 0700 from the moment they exist. The mode is given to open(2)
 * and mkdir(2), so no other user ever sees a wider file, and then set
 * exactly with fchmod/chmod, because the process umask may have taken bits
 * away (a umask of 0277 would leave a log the collector cannot append to).
 * Every path the collector (and code beside it) creates goes through here.
 */
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Mode of every file the collector writes. */
export const FILE_MODE = 0o600;
/** Mode of every directory the collector creates. */
export const DIR_MODE = 0o700;

/**
 * Creates `dir` (and missing parents) as 0700. An existing `dir` is made
 * 0700 too: it holds crash data, whatever an older version left. Parents
 * that already exist are left alone.
 */
export async function mkdirPrivate(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  // mkdir reports the first directory it created; fix the modes from there down.
  const fixes = [dir];
  if (created !== undefined) {
    for (let d = path.dirname(dir); d.length >= created.length && d !== path.dirname(d); d = path.dirname(d)) fixes.push(d);
  }
  await Promise.all(fixes.map((d) => chmod(d, DIR_MODE)));
}

/**
 * Makes what `dir` directly holds private (files 0600, directories 0700):
 * files an older collector wrote world-readable, including ones this one
 * only reads (deploys.jsonl until the next deploy). Symbolic links are left
 * alone (chmod would follow them out of the directory). Not recursive: the
 * store does the same for the attachments it knows at open.
 */
export async function privatizeEntries(dir: string): Promise<void> {
  const names = await readdir(dir);
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const st = await lstat(file).catch(() => undefined);
      if (!st || st.isSymbolicLink()) return;
      const mode = st.isDirectory() ? DIR_MODE : FILE_MODE;
      if ((st.mode & 0o777) !== mode) await chmod(file, mode).catch(() => undefined);
    }),
  );
}

/** Synchronous `mkdirPrivate` for code that must not yield (tests, start-up paths). */
export function mkdirPrivateSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

/** Opens (creating when the flags say so) a file as 0600; an existing file is made 0600 as well. */
export async function openPrivate(file: string, flags: string): Promise<FileHandle> {
  const handle = await open(file, flags, FILE_MODE);
  try {
    await handle.chmod(FILE_MODE);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** Synchronous `openPrivate`, returning a file descriptor. */
export function openPrivateSync(file: string, flags: string): number {
  const fd = openSync(file, flags, FILE_MODE);
  try {
    fchmodSync(fd, FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Appends `text` to `file` (created 0600), durably: written and fdatasynced before it resolves. */
export async function appendPrivate(file: string, text: string): Promise<void> {
  const handle = await openPrivate(file, 'a');
  try {
    await handle.appendFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory so entries just created or renamed in it survive a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

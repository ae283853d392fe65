/**
 * The per-data-dir identity: the public key of the default project's DSN and
 * the bearer token of the release-health API. Generated once, kept in
 * `collector.json` so the DSN printed today still works after a restart.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { FILE_MODE, openPrivate, syncDir } from './storage/private-fs.js';

/** Keys that stay the same for a data directory. */
export interface Identity {
  publicKey: string;
  token: string;
}

const FILE = 'collector.json';

/** Reads the identity of `dataDir`, creating it (atomically, durably) when missing. */
export async function loadIdentity(dataDir: string): Promise<Identity> {
  const file = path.join(dataDir, FILE);
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<Identity>;
    if (isKey(value.publicKey) && isKey(value.token)) {
      // An older collector may have left it readable by others.
      await chmod(file, FILE_MODE);
      return { publicKey: value.publicKey, token: value.token };
    }
    throw new Error(`${file} does not hold a publicKey and a token; remove it to generate new ones`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const identity: Identity = { publicKey: randomBytes(16).toString('hex'), token: randomBytes(24).toString('hex') };
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await openPrivate(tmp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(identity, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  await syncDir(dataDir);
  return identity;
}

function isKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{8,}$/.test(value);
}

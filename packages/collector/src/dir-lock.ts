/**
 * One collector per data directory: two writers appending to the same log
 * would each keep a different dedupe index. The lock is a file holding the
 * owner's pid; one left by a process that no longer exists is taken over.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { openPrivate } from './storage/private-fs.js';

const FILE = 'collector.lock';

/** Takes the lock of `dataDir`; throws naming the pid that holds it. Resolves to its release. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await openPrivate(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new Error(`crashfree-collector: data dir ${dataDir} is in use by process ${owner} (${file}); stop it or use another --data-dir`);
    }
    await rm(file, { force: true });
  }
  throw new Error(`crashfree-collector: could not lock data dir ${dataDir} (${file})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

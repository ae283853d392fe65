/**
 * Where the SDK keeps its files: one directory per application and DSN, so
 * two apps (or one app sending to two projects) never read each other's
 * sessions, while cluster workers of one app share theirs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Liveness } from '@crashfree/core';
import { withRecoveryClaims } from './claim.js';
import { createLiveness } from './liveness.js';
import { createFileStore, createMemoryFileStore, ensurePrivateDir, type FileStore } from './store.js';
import { createVisibility } from './store-visibility.js';

/** The state root: `$XDG_STATE_HOME` or `~/.local/state`, then `crashfree`. */
export function stateRoot(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'crashfree');
}

/**
 * The application's identity: its entry script (resolved), else the working
 * directory (`node -e`, a REPL). Stable across restarts of the same app.
 */
export function appIdentity(argv: readonly string[], cwd: string): string {
  const entry = argv[1];
  return entry ? path.resolve(cwd, entry) : cwd;
}

/** The default data dir for this app and DSN: `<stateRoot>/<hash(app, dsn)>`. */
export function defaultDataDir(env: NodeJS.ProcessEnv, argv: readonly string[], cwd: string, dsn: string | undefined): string {
  const hash = createHash('sha256')
    .update(`${appIdentity(argv, cwd)}\n${dsn ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(stateRoot(env), hash);
}

/** The sub-directories of a data dir, each owned by one concern. */
export interface DataDirLayout {
  root: string;
  /** The core's Store (queue, sessions, crash records). */
  store: string;
  /** Unreadable files moved aside. */
  corrupt: string;
  /** Recovery claims (see claim.ts). */
  claims: string;
  /** Liveness lock files where /proc is missing. */
  live: string;
  /** Node diagnostic reports written on V8 fatal errors. */
  reports: string;
  /** Hang (ANR) state of blocked runs. */
  anr: string;
}

/** Lays out `root` (nothing is created here). */
export function dataDirLayout(root: string): DataDirLayout {
  return {
    root,
    store: path.join(root, 'store'),
    corrupt: path.join(root, 'corrupt'),
    claims: path.join(root, 'claims'),
    live: path.join(root, 'live'),
    reports: path.join(root, 'reports'),
    anr: path.join(root, 'anr'),
  };
}

/** Whether the SDK can keep its files under a data dir, and if not, why. */
export type DataDirAccess = { writable: true } | { writable: false; reason: string };

/**
 * Creates the data dir and its store directory (0700) and asks the kernel
 * whether this process may write them (access(2): it answers EROFS for a
 * read-only mount, EPERM for an immutable dir and EACCES by the mode bits,
 * which root bypasses, as it would for the writes). Not a probe file: creating
 * and unlinking one costs ~0.4 ms on ext4, on every launch. Never throws: a
 * read-only mount, a file in the way, EACCES/EPERM, or a virtual filesystem
 * (/proc) give `writable: false` with the error that said so.
 */
export function openDataDir(layout: DataDirLayout): DataDirAccess {
  try {
    ensurePrivateDir(layout.root);
    ensurePrivateDir(layout.store);
    fs.accessSync(layout.root, fs.constants.W_OK);
    fs.accessSync(layout.store, fs.constants.W_OK);
    return { writable: true };
  } catch (e) {
    return { writable: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** The one warning for an unwritable data dir: the path, the reason, and what the run loses. */
export function unwritableWarning(root: string, reason: string): string {
  return (
    `[crashfree] the data dir ${root} is not writable (${reason}). ` +
    'This run keeps its state in memory only: sessions and events are sent live, but nothing is kept for the next launch ' +
    '(a crash or kill before delivery is lost, native crash capture is off). Set the "dataDir" option to a writable directory.'
  );
}

/** Where this run keeps its state: files under the data dir, or memory when the dir cannot be written. */
export interface RunStorage {
  store: FileStore;
  /** The liveness the core asks (with recovery claims when persistent). */
  liveness: Liveness;
  /** The plain liveness under the claims, for housekeeping; absent when memory-only. */
  inner?: Liveness;
  /** False when the data dir could not be written: nothing is read from or written to it. */
  persistent: boolean;
}

/** Memory-only runs recover nothing, so every owner counts as alive. */
const MEMORY_LIVENESS: Liveness = { owner: () => ({ pid: process.pid }), isAlive: async () => true };

/**
 * Opens the data dir for this run; never throws. When it cannot be written,
 * says so once through `warn` (path and reason) and returns memory-only
 * storage: the SDK keeps running and sends live.
 */
export function openRunStorage(layout: DataDirLayout, warn: (message: string) => void): RunStorage {
  let access = openDataDir(layout);
  if (access.writable) {
    try {
      const inner = createLiveness(layout.live);
      const liveness = withRecoveryClaims(inner, layout.claims);
      const store = createFileStore({ dir: layout.store, quarantineDir: layout.corrupt, warn, visibility: createVisibility(liveness) });
      return { store, liveness, inner, persistent: true };
    } catch (e) {
      access = { writable: false, reason: e instanceof Error ? e.message : String(e) };
    }
  }
  warn(unwritableWarning(layout.root, access.reason));
  return { store: createMemoryFileStore(layout.store), liveness: MEMORY_LIVENESS, persistent: false };
}

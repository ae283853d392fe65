/**
 * Where the SDK keeps its files: one directory per application and DSN, so
 * two apps (or one app sending to two projects) never read each other's
 * sessions, while cluster workers of one app share theirs.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

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

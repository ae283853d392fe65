// The app of the death-at-any-instant suite, run as a child process against
// the built @crashfree/node. It initialises the SDK (the user set just before
// or just after init), writes one line `ready <sid>` synchronously the moment
// init has returned, then dies as told, `delay` ms later:
//   sigkill   stays alive; the harness kills it
//   uncaught  throws from a timer (0: synchronously, right after init)
//   exit      process.exit(0)
//   native    a null dereference inside a wrapped native addon
//   clean     `await close()`, the last run of a fleet
//   short     `await flush(); await close()` at once (the README's snippet)
//   version   a `--version`-style CLI: prints and returns, nothing keeps the loop alive
// argv: kind delayMs did userAt(before|after) release
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { close, flush, init, setUser, wrapNativeAddon } from '@crashfree/node';

const [kind, delayText, did, userAt, release] = process.argv.slice(2);
const delay = Number(delayText);
const require = createRequire(import.meta.url);
// Loaded before init, as an app's own addons are: the crash is inside it, not in loading it.
const crasher = kind === 'native' ? wrapNativeAddon(require(process.env.CF_CRASHER), { name: 'crasher' }) : undefined;

if (userAt === 'before') setUser({ id: did });
const client = init({ dsn: process.env.CF_DSN, release, environment: 'test', dataDir: process.env.CF_DATA_DIR, anrThresholdMs: 0, ...(process.env.CF_DEBUG && { debug: true }) });
if (userAt === 'after') setUser({ id: did });
writeSync(1, `ready ${client.getSessionId() ?? '-'}\n`);

const die = {
  sigkill: () => setTimeout(() => undefined, 60_000),
  uncaught: () => {
    throw new Error(`death of ${did}`);
  },
  exit: () => process.exit(0),
  native: () => crasher.crash('null-deref'),
  clean: () => void close(10_000),
  short: () => void flush().then(() => close()),
  version: () => writeSync(1, 'app 1.0.0\n'),
}[kind];
if (!die) throw new Error(`unknown kind ${kind}`);
if (delay <= 0) die();
else setTimeout(die, delay);

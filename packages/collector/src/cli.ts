/**
 * `crashfree-collector [--host 127.0.0.1] [--port 8969|0] [--data-dir DIR] [--token TOKEN]`
 * Prints `listening on URL`, `dsn DSN` and `token TOKEN` (one per line, in
 * that order, so scripts can read them), then serves until SIGINT/SIGTERM.
 */
import { startCollector } from './server.js';
import { defaultDataDir, type CollectorOptions } from './options.js';

const USAGE = 'usage: crashfree-collector [--host 127.0.0.1] [--port 8969|0] [--data-dir DIR] [--token TOKEN]';

/** Parses CLI arguments; throws an Error with one line naming the bad argument. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CollectorOptions {
  const options: CollectorOptions = { dataDir: defaultDataDir(env) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--host':
        options.host = value();
        break;
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--port is "${v}"; expected an integer from 0 to 65535`);
        options.port = Number(v);
        break;
      }
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--token':
        options.token = value();
        break;
      default:
        throw new Error(`unknown argument "${arg}"`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let collector;
  try {
    collector = await startCollector(parseArgs(argv));
  } catch (error) {
    process.stderr.write(`crashfree-collector: ${error instanceof Error ? error.message.replace(/^crashfree-collector: /, '') : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`listening on ${collector.url}\ndsn ${collector.dsn}\ntoken ${collector.token}\n`);
  process.stderr.write(`crashfree-collector: data in ${collector.dataDir}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`crashfree-collector: error while closing: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();

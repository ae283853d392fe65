/**
 * `crashfree-collector [--host 127.0.0.1] [--port 8969|0] [--data-dir DIR] [--token TOKEN]
 *   [--allow-host NAME]... [--retention-age 30d|none] [--retention-size 1GiB|none]`
 * Prints `listening on URL`, `dsn DSN` and `token TOKEN` (one per line, in
 * that order, so scripts can read them), then serves until SIGINT/SIGTERM.
 */
import { startCollector } from './server.js';
import { parseArgs, USAGE } from './cli-args.js';

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

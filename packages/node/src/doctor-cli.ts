/**
 * The `crashfree` bin of @crashfree/node: `npx crashfree doctor [--dsn DSN]
 * [--data-dir DIR] [--crashpad-handler PATH] [--json]`. Exit codes: 0 all
 * asked-for capture on, 1 something asked for is off, 2 usage error.
 */
import { formatDoctor, runDoctor, type DoctorOptions } from './doctor.js';

declare const __CRASHFREE_VERSION__: string;
const VERSION = typeof __CRASHFREE_VERSION__ === 'string' ? __CRASHFREE_VERSION__ : '0.0.0-source';
const USAGE = 'usage: crashfree doctor [--dsn DSN] [--data-dir DIR] [--crashpad-handler PATH] [--json]';

/** Parses the doctor's flags; throws an Error naming the bad argument. */
export function parseDoctorArgs(argv: string[]): DoctorOptions & { json: boolean } {
  const o: DoctorOptions & { json: boolean } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new Error(`${name} needs a value`);
      return v;
    };
    if (name === '--dsn') o.dsn = value();
    else if (name === '--data-dir') o.dataDir = value();
    else if (name === '--crashpad-handler') o.crashpadHandlerPath = value();
    else if (name === '--json') o.json = true;
    else throw new Error(`unknown argument "${arg}"`);
  }
  return o;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] !== 'doctor') {
    process.stderr.write(`crashfree: unknown command "${argv[0]}"\n${USAGE}\n`);
    return 2;
  }
  let options;
  try {
    options = parseDoctorArgs(argv.slice(1));
  } catch (e) {
    process.stderr.write(`crashfree doctor: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { checks, exitCode } = await runDoctor(options);
  const header = `crashfree doctor: @crashfree/node ${VERSION}, Node ${process.version}, ${process.platform}-${process.arch}`;
  process.stdout.write(options.json ? `${JSON.stringify({ checks, exitCode }, null, 2)}\n` : `${formatDoctor(checks, header)}\n`);
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`crashfree doctor: ${String(e)}\n`);
    process.exitCode = 1;
  },
);

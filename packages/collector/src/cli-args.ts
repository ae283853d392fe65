/**
 * The CLI's arguments (cli.ts runs them): each flag maps onto one
 * `startCollector` option; a bad one throws an Error with one line naming
 * the flag, the value and what is expected.
 */
import { defaultDataDir, type CollectorOptions } from './options.js';
import { parseBytes, parseDurationMs } from './storage/retention.js';

/** The CLI's usage text (`--help`, and after a bad argument). */
export const USAGE = `usage: crashfree-collector [--host 127.0.0.1] [--port 8969|0] [--data-dir DIR] [--token TOKEN]
                           [--allow-host NAME]... [--retention-age 30d|none] [--retention-size 1GiB|none]
  --host            interface to listen on (default 127.0.0.1, loopback only)
  --port            TCP port (default 8969; 0 picks a free one)
  --data-dir        where items are kept (default $XDG_STATE_HOME/crashfree-collector or ~/.local/state/crashfree-collector)
  --token           bearer token every read needs (default: the one kept in the data dir)
  --allow-host      a host name reads may be addressed to besides loopback names and --host (repeatable)
  --retention-age   envelopes older than this are removed: 500ms, 30s, 90m, 12h, 30d (default 30d), or none
  --retention-size  the oldest envelopes are removed while log plus attachments exceed this:
                    500MiB, 2GiB, 1GB, bytes (default 1GiB), or none`;

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
      case '--allow-host':
        options.allowedHosts = [...(options.allowedHosts ?? []), value()];
        break;
      case '--retention-age': {
        const v = value();
        const ms = v === 'none' ? null : parseDurationMs(v);
        if (ms === undefined) throw new Error(`--retention-age is "${v}"; expected a duration like 30d, 12h, 90m, 30s or 500ms, or none`);
        options.retention = { ...options.retention, maxAgeMs: ms };
        break;
      }
      case '--retention-size': {
        const v = value();
        const bytes = v === 'none' ? null : parseBytes(v);
        if (bytes === undefined) throw new Error(`--retention-size is "${v}"; expected a size like 500MiB, 2GiB, 1GB or a number of bytes, or none`);
        options.retention = { ...options.retention, maxBytes: bytes };
        break;
      }
      default:
        throw new Error(`unknown argument "${arg}"`);
    }
  }
  return options;
}


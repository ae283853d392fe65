/**
 * `crashfree-symbols upload [--url URL] [--token TOKEN] <files or dirs>...`:
 * turns ELF binaries (`.node`, `.so`, `.so.N`, or any ELF file named
 * explicitly) into Breakpad `.sym` files with `dump_syms` (as the npm
 * `minidump` package ships it, or `CRASHFREE_DUMP_SYMS`) and uploads each to
 * the collector's symbol store, keyed by the module's debug id. Frames of
 * crashes already stored are named from then on (they are symbolicated when
 * read). On Sentry, use `sentry-cli debug-files upload` instead.
 * Exit codes: 0 all uploaded, 1 some file failed, 3 usage or connection error.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const USAGE = `usage: crashfree-symbols upload [--url http://127.0.0.1:8969] [--token TOKEN] <files or dirs>...
  Makes Breakpad symbols of ELF binaries (.node, .so) with dump_syms and uploads them to the collector.
  The token may come from CRASHFREE_TOKEN. On Sentry use: sentry-cli debug-files upload <dirs>`;

function dumpSyms(): string | null {
  if (process.env['CRASHFREE_DUMP_SYMS']) return process.env['CRASHFREE_DUMP_SYMS'];
  try {
    const require = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const tool = path.join(path.dirname(require.resolve('minidump/package.json')), 'bin', `${process.platform}-${process.arch}`, 'dump_syms');
    accessSync(tool, constants.X_OK);
    return tool;
  } catch {
    return null;
  }
}

async function isElf(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    await fh.close();
  }
}

/** ELF files under `p`: the file itself when named, else `.node`/`.so` files found below it. */
async function binaries(p: string, named: boolean): Promise<string[]> {
  const s = await stat(p);
  if (s.isFile()) return (named || /\.(node|so)(\.\d+)*$/.test(p)) && (await isElf(p)) ? [p] : [];
  if (!s.isDirectory()) return [];
  const out: string[] = [];
  for (const entry of await readdir(p)) out.push(...(await binaries(path.join(p, entry), false)));
  return out;
}

function run(tool: string, file: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(tool, [file], { maxBuffer: 512 << 20, encoding: 'utf8' }, (error, stdout) => (error && !stdout.startsWith('MODULE ') ? reject(new Error(`dump_syms failed: ${error.message.split('\n')[0]}`)) : resolve(stdout))),
  );
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const usage = (why: string): number => {
    process.stderr.write(`crashfree-symbols: ${why}\n${USAGE}\n`);
    return 3;
  };
  const [command, ...rest] = argv;
  if (command !== 'upload') return usage(command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`);
  let url = 'http://127.0.0.1:8969';
  let token = process.env['CRASHFREE_TOKEN'] ?? '';
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--url' || a === '--token') {
      const v = rest[++i];
      if (v === undefined) return usage(`${a} needs a value`);
      if (a === '--url') url = v.replace(/\/$/, '');
      else token = v;
    } else if (a.startsWith('--')) return usage(`unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) return usage('no files or directories to upload');
  if (!token) return usage('no token: pass --token or set CRASHFREE_TOKEN (the collector prints it at start)');
  const tool = dumpSyms();
  if (!tool) return usage(`no dump_syms for ${process.platform}-${process.arch}: install the npm package "minidump" or set CRASHFREE_DUMP_SYMS`);
  let failed = 0;
  for (const p of paths) {
    let files: string[];
    try {
      files = await binaries(p, true);
    } catch (e) {
      process.stderr.write(`crashfree-symbols: ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      failed++;
      continue;
    }
    if (files.length === 0) process.stderr.write(`crashfree-symbols: ${p}: no ELF binaries (.node, .so) found\n`);
    for (const file of files) {
      try {
        const sym = await run(tool, file);
        let res: Response;
        try {
          res = await fetch(`${url}/api/0/crashfree/symbols/`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' }, body: sym });
        } catch (e) {
          process.stderr.write(`crashfree-symbols: cannot reach ${url}: ${(e as { cause?: { code?: string } }).cause?.code ?? String(e)}\n`);
          return 3;
        }
        const body = (await res.json().catch(() => ({}))) as { module?: string; debugId?: string; detail?: string };
        if (res.status === 401 || res.status === 403) {
          process.stderr.write(`crashfree-symbols: ${url} refused the upload (HTTP ${res.status}): ${body.detail ?? ''}\n`);
          return 3;
        }
        if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${body.detail ?? ''}`);
        const functions = sym.split('\nFUNC ').length - 1;
        process.stdout.write(`uploaded ${body.module} ${body.debugId} (${functions} functions) from ${file}\n`);
      } catch (e) {
        process.stderr.write(`crashfree-symbols: ${file}: ${(e as Error).message}\n`);
        failed++;
      }
    }
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`crashfree-symbols: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);

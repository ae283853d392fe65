/**
 * The symbol store: Breakpad `.sym` files keyed by module and debug id, in
 * the layout Breakpad's own tools read (`symbols/<module>/<DEBUG_ID>/<module>.sym`),
 * uploaded with `PUT /api/0/crashfree/symbols/` (the body is the `.sym`
 * text; its `MODULE` line names it) — `crashfree-symbols upload` makes and
 * sends them. Frames are named when an event is read, not when it is walked,
 * so symbols uploaded after a crash still apply to it.
 *
 * A `.sym` file is read for what naming needs: `FILE n path`, `FUNC [m]
 * address size params name` with its line records `address size line file`,
 * and `PUBLIC [m] address params name` for what has no FUNC (addresses are
 * hex offsets in the module). Parsed files are cached (a few, by debug id).
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { mkdirPrivate, openPrivate } from '../storage/private-fs.js';
import type { NativeFrame, NativeImage } from './machine-output.js';

/** What one module's symbols say about an offset. */
export interface Symbolicated {
  function: string;
  filename?: string;
  lineno?: number;
}

interface Func {
  start: number;
  end: number;
  name: string;
  /** [start, end, line, file] */
  lines: Array<[number, number, number, number]>;
}

interface ParsedSym {
  files: Map<number, string>;
  funcs: Func[];
  publics: Array<[number, string]>;
}

/** Largest `.sym` accepted (Chromium's are ~1 GB; an app's addon is KBs to tens of MB). */
export const MAX_SYM_BYTES = 256 << 20;
const CACHE = 8;

/** Reads `MODULE os arch id name` off the first line; throws a one-line Error for anything else. */
export function symHeader(text: string): { debugId: string; module: string } {
  const first = text.slice(0, Math.min(text.length, 4096)).split('\n', 1)[0] ?? '';
  const m = /^MODULE \S+ \S+ ([0-9A-Fa-f]{33,40}) (.+)$/.exec(first.trimEnd());
  if (!m) throw new Error(`not a Breakpad symbol file: the first line must be "MODULE <os> <arch> <debug id> <name>", got ${JSON.stringify(first.slice(0, 80))}`);
  const module = m[2]!;
  if (module.includes('/') || module.includes('\\') || module === '.' || module === '..') throw new Error(`symbol file names module ${JSON.stringify(module)}: expected a file name`);
  return { debugId: m[1]!.toUpperCase(), module };
}

function parseSym(text: string): ParsedSym {
  const out: ParsedSym = { files: new Map(), funcs: [], publics: [] };
  let func: Func | undefined;
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0);
    if (c >= 48 && c <= 57 || c >= 97 && c <= 102) {
      // A line record of the FUNC above: address size line file.
      if (!func) continue;
      const [a, s, l, f] = line.split(' ');
      const start = parseInt(a!, 16);
      func.lines.push([start, start + parseInt(s!, 16), Number(l), Number(f)]);
      continue;
    }
    if (line.startsWith('FUNC ')) {
      const parts = line.split(' ');
      const i = parts[1] === 'm' ? 2 : 1;
      const start = parseInt(parts[i]!, 16);
      func = { start, end: start + parseInt(parts[i + 1]!, 16), name: parts.slice(i + 3).join(' '), lines: [] };
      out.funcs.push(func);
    } else if (line.startsWith('FILE ')) {
      const sp = line.indexOf(' ', 5);
      out.files.set(Number(line.slice(5, sp)), line.slice(sp + 1));
      func = undefined;
    } else if (line.startsWith('PUBLIC ')) {
      const parts = line.split(' ');
      const i = parts[1] === 'm' ? 2 : 1;
      out.publics.push([parseInt(parts[i]!, 16), parts.slice(i + 2).join(' ')]);
      func = undefined;
    } else func = undefined;
  }
  out.funcs.sort((a, b) => a.start - b.start);
  out.publics.sort((a, b) => a[0] - b[0]);
  return out;
}

/** The last element whose key is <= `at`, by binary search. */
function floor<T>(list: T[], key: (t: T) => number, at: number): T | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]!) <= at) {
      found = list[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function lookup(sym: ParsedSym, offset: number): Symbolicated | undefined {
  const func = floor(sym.funcs, (f) => f.start, offset);
  if (func && offset < func.end) {
    const line = floor(func.lines, (l) => l[0], offset);
    const out: Symbolicated = { function: func.name };
    if (line && offset < line[1]) {
      const file = sym.files.get(line[3]);
      if (file) out.filename = path.normalize(file);
      out.lineno = line[2];
    }
    return out;
  }
  const pub = floor(sym.publics, (p) => p[0], offset);
  return pub ? { function: pub[1] } : undefined;
}

/** The store under `dir` (created 0700 on first upload). */
export interface SymbolStore {
  /** Stores one `.sym` text; resolves its module and debug id. Throws a one-line Error for a file that is not one. */
  put(text: string): Promise<{ debugId: string; module: string }>;
  /** Names the frames it has symbols for (others are left as they are); never throws. */
  symbolicate(frames: NativeFrame[], images: NativeImage[]): Promise<NativeFrame[]>;
}

export function createSymbolStore(dir: string): SymbolStore {
  const cache = new Map<string, Promise<ParsedSym | null>>();
  const fileOf = (module: string, debugId: string): string => path.join(dir, module, debugId, `${module}.sym`);

  const load = (module: string, debugId: string): Promise<ParsedSym | null> => {
    const key = `${module}/${debugId}`;
    let p = cache.get(key);
    if (!p) {
      p = readFile(fileOf(module, debugId), 'utf8').then(parseSym, () => null);
      cache.set(key, p);
      // Only found files are kept long; a miss is asked again next time (symbols may arrive meanwhile).
      void p.then((s) => s === null && cache.delete(key));
      while (cache.size > CACHE) cache.delete(cache.keys().next().value!);
    }
    return p;
  };

  return {
    async put(text) {
      const { debugId, module } = symHeader(text);
      const file = fileOf(module, debugId);
      await mkdirPrivate(path.dirname(file));
      const tmp = `${file}.tmp`;
      const fh = await openPrivate(tmp, 'w');
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      cache.delete(`${module}/${debugId}`);
      return { debugId, module };
    },
    async symbolicate(frames, images) {
      const idOf = new Map(images.map((i) => [path.basename(i.code_file), i.debug_id.toUpperCase()]));
      const out: NativeFrame[] = [];
      for (const [i, f] of frames.entries()) {
        const id = f.package ? idOf.get(path.basename(f.package)) : undefined;
        const sym = id && f.module_offset && !f.function ? await load(path.basename(f.package!), id) : null;
        // A caller frame's address is the return address, just after its call: look up the call itself.
        const offset = Number(BigInt(f.module_offset ?? '0')) - (i === 0 ? 0 : 1);
        const named = sym ? lookup(sym, offset) : undefined;
        out.push(named ? { ...f, ...named } : f);
      }
      return out;
    },
  };
}

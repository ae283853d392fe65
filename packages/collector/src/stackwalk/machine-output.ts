/**
 * Reads Breakpad's `minidump_stackwalk -m` (machine-readable) output into
 * the crashing thread's frames and the module list, in the shapes Sentry's
 * event uses for native crashes (`threads` frames, `debug_meta.images`).
 *
 * The format, one record per line, `|`-separated:
 *   OS|name|version                 CPU|arch|description|cores
 *   Crash|reason|address|thread     (thread: index of the crashing thread, or empty)
 *   Module|file|version|debug_file|debug_id|base|end|main
 *   <thread>|<frame>|<module>|<function>|<source file>|<line>|<offset>
 * A frame's offset is from its line (with a line), from its function (with a
 * function), else from its module's base (or the absolute address without one).
 */

/** One native frame, innermost first as Breakpad prints them. */
export interface NativeFrame {
  /** The instruction address, hex (`0x...`), when the walk gave a module offset or an absolute address (not for a frame Breakpad symbolicated itself). */
  instruction_addr?: string;
  /** The module's file name, when the frame is in one. */
  package?: string;
  function?: string;
  filename?: string;
  lineno?: number;
  /** Offset in the module, hex: what an unsymbolicated frame is named by. */
  module_offset?: string;
}

/** One loaded module, as Sentry's `debug_meta.images` entry (type `elf`). */
export interface NativeImage {
  type: 'elf';
  code_file: string;
  debug_file: string;
  /** Breakpad's debug identifier (33 hex digits: the id and its age). */
  debug_id: string;
  image_addr: string;
  image_size: number;
}

/** What one stackwalk says about a dump. */
export interface StackwalkResult {
  os: { name: string; version: string } | null;
  arch: string | null;
  /** `SIGSEGV /SEGV_MAPERR`, `SIGABRT`, ... */
  reason: string | null;
  address: string | null;
  /** The crashing thread's frames, innermost first (at most `MAX_FRAMES`). */
  frames: NativeFrame[];
  images: NativeImage[];
}

const MAX_FRAMES = 256;
const MAX_IMAGES = 2_000;

const hex = (v: string | undefined): bigint | undefined => {
  if (!v || !/^0x[0-9a-f]+$/i.test(v)) return undefined;
  return BigInt(v);
};
const hexText = (n: bigint): string => `0x${n.toString(16)}`;

/** Parses machine-readable output; lines it does not know are skipped (never throws on odd input). */
export function parseMachineOutput(text: string): StackwalkResult {
  const out: StackwalkResult = { os: null, arch: null, reason: null, address: null, frames: [], images: [] };
  const bases = new Map<string, bigint>();
  let crashThread: string | undefined;
  const frameLines: string[][] = [];
  for (const line of text.split('\n')) {
    const f = line.split('|');
    switch (f[0]) {
      case 'OS':
        out.os = { name: f[1] ?? '', version: f[2] ?? '' };
        break;
      case 'CPU':
        out.arch = f[1] || null;
        break;
      case 'Crash':
        out.reason = f[1] || null;
        out.address = f[2] || null;
        crashThread = f[3] || undefined;
        break;
      case 'Module': {
        const base = hex(f[5]);
        const end = hex(f[6]);
        if (base === undefined || end === undefined || out.images.length >= MAX_IMAGES) break;
        const file = f[1] ?? '';
        bases.set(file, base);
        out.images.push({ type: 'elf', code_file: file, debug_file: f[3] || file, debug_id: f[4] ?? '', image_addr: hexText(base), image_size: Number(end - base + 1n) });
        break;
      }
      default:
        if (crashThread !== undefined && f[0] === crashThread && f.length >= 7 && /^\d+$/.test(f[1] ?? '')) frameLines.push(f);
    }
  }
  for (const f of frameLines.slice(0, MAX_FRAMES)) {
    const [, , module, fn, file, line, offsetText] = f;
    const offset = hex(offsetText) ?? 0n;
    const base = module ? bases.get(module) : undefined;
    const frame: NativeFrame = {};
    if (module) frame.package = module;
    // Without a function the offset is the module's (base + offset is the address), or the address itself.
    if (!fn && module && base !== undefined) {
      frame.instruction_addr = hexText(base + offset);
      frame.module_offset = hexText(offset);
    } else if (!fn && !module) frame.instruction_addr = hexText(offset);
    if (fn) frame.function = fn;
    if (file) frame.filename = file;
    if (line && /^\d+$/.test(line)) frame.lineno = Number(line);
    out.frames.push(frame);
  }
  return out;
}

/**
 * The small parts of an event an issue keeps: its segments (platform, OS,
 * runtime version) and the top frames the page shows. Read once at ingest;
 * the event itself is not kept.
 */

/** The segment keys, named as Sentry's tags are (`os.name`, `runtime`) plus `platform`. */
export const SEGMENT_KEYS = ['platform', 'os.name', 'runtime'] as const;

/** One frame as the page shows it. */
export interface TopFrame {
  function: string | null;
  /** File or module path (JS) or module file name (native). */
  file: string | null;
  lineno: number | null;
  /** For native frames: the instruction address, hex. */
  instructionAddr: string | null;
  inApp: boolean;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Segment values of one event: `platform` from the SDK, `os.name` and `runtime` (name and version) from its contexts. */
export function segmentsOf(event: Json, platform: string): Record<string, string> {
  const contexts = (event['contexts'] as Json | undefined) ?? {};
  const os = contexts['os'] as Json | undefined;
  const runtime = contexts['runtime'] as Json | undefined;
  const out: Record<string, string> = { platform };
  const osName = str(os?.['name']);
  if (osName) out['os.name'] = osName;
  const rt = [str(runtime?.['name']), str(runtime?.['version'])].filter(Boolean).join(' ');
  if (rt) out['runtime'] = rt;
  return out;
}

/** The innermost frames (at most 5) of the event's main exception, in-app ones first. */
export function topFramesOf(event: Json): TopFrame[] {
  const values = (event['exception'] as Json | undefined)?.['values'];
  const ex = Array.isArray(values) ? (values[values.length - 1] as Json | undefined) : undefined;
  const frames = ((ex?.['stacktrace'] as Json | undefined)?.['frames'] as Json[] | undefined) ?? [];
  if (!Array.isArray(frames)) return [];
  const shaped = frames
    .slice(-50)
    .reverse()
    .map(
      (f): TopFrame => ({
        function: str(f?.['function']) ?? null,
        file: str(f?.['filename']) ?? str(f?.['module']) ?? str(f?.['package']) ?? null,
        lineno: typeof f?.['lineno'] === 'number' ? f['lineno'] : null,
        instructionAddr: str(f?.['instruction_addr']) ?? null,
        inApp: f?.['in_app'] !== false,
      }),
    );
  const inApp = shaped.filter((f) => f.inApp);
  return (inApp.length ? inApp : shaped).slice(0, 5);
}

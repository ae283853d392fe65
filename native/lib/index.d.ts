/** Health of the installed handlers, as the C core reports it. */
export interface NativeStatus {
  installed: boolean;
  mode: 'crashpad' | 'inprocess' | 'off';
  altStack: boolean;
  chained: boolean;
  /** Why capture is off or degraded; empty when healthy. */
  reason: string;
  /** Whether the crashing thread's JS stack is captured at crash time (V8 headers at build, same node at run). */
  jsStack: boolean;
  /** Why not, in one sentence; empty when it is. */
  jsStackReason: string;
}

/** Options of `install()`; paths are prepared by the caller. */
export interface NativeInstallOptions {
  recordPath: string;
  minidumpPath: string;
  handlerPath?: string;
  databaseDir?: string;
  release?: string;
  environment?: string;
  sdk?: string;
  handlerTimeoutMs?: number;
  /** Capture the crashing thread's JS stack (default true; it keeps V8 code events on while running). */
  jsStack?: boolean;
}

/** Byte layout of the memory shared between JS and the signal handler. */
export interface NativeLayout {
  size: number;
  seqIndex: number;
  /** The calling thread's own call marker (int32 index): a crash is attributed to calls on its own thread. */
  callIndex: number;
  callNextIndex: number;
  sidOffset: number;
  sidSize: number;
  annotationOffset: number;
  annotationCount: number;
  annotationKeySize: number;
  annotationValueSize: number;
  callOffset: number;
  callCount: number;
  callSize: number;
}

/** The addon's functions. */
export interface NativeAddon {
  /** Installs the crash handlers once per process; throws TypeError on bad options. */
  install(options: NativeInstallOptions): NativeStatus;
  status(): NativeStatus;
  /** The shared block (static memory), as an ArrayBuffer. */
  sharedMemory(): ArrayBuffer;
  layout(): NativeLayout;
  /** Gives the calling thread an alternate signal stack; true when it has one. */
  threadInit(): boolean;
  /** Names code this thread compiled before the JS stack was set up (a heap walk, a few ms: keep it off init). */
  nameExistingCode(): void;
  /** Entries in this thread's code map (what the JS stack can name). */
  codeMapSize(): number;
}

export type LoadResult = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Loads the addon; never throws. */
export function load(): LoadResult;
/** Where the addon is expected. */
export const addonPath: string;

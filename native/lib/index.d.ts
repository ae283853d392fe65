/** Health of the installed handlers, as the C core reports it. */
export interface NativeStatus {
  installed: boolean;
  mode: 'crashpad' | 'inprocess' | 'off';
  altStack: boolean;
  chained: boolean;
  /** Why capture is off or degraded; empty when healthy. */
  reason: string;
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
}

/** Byte layout of the memory shared between JS and the signal handler. */
export interface NativeLayout {
  size: number;
  seqIndex: number;
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
  /** Per call id: the JS caller, "function\0file\0line\0how\0" (written under the sequence counter). */
  callerOffset: number;
  callerSize: number;
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
}

export type LoadResult = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** Loads the addon; never throws. */
export function load(): LoadResult;
/** Where the addon is expected. */
export const addonPath: string;

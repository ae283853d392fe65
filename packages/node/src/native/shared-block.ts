/**
 * The JS side of the memory shared with the signal handler: plain
 * typed-array stores, no call into the addon. Strings are written between
 * two increments of the sequence counter (odd while writing), so the
 * handler can tell a torn copy; the call marker is one Int32 store.
 */
import type { SharedLayout } from './load.js';

const encoder = new TextEncoder();

/** The JS code that called a wrapped addon function, as recorded for crash attribution. */
export interface JsCaller {
  /** The calling function's name ('' for top-level or anonymous code). */
  function: string;
  file: string;
  line: number;
  /** How it was captured: on the wrapped function's first call (the only capture today). */
  how: 'first-call';
}
const decoder = new TextDecoder();

/** Writer over the shared block; one per thread that loaded the addon. */
export class SharedBlock {
  /** The block as int32 words: `words[layout.callIndex]` is the call marker. */
  readonly words: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(
    buffer: ArrayBuffer,
    readonly layout: SharedLayout,
  ) {
    this.words = new Int32Array(buffer, 0, layout.size >> 2);
    this.bytes = new Uint8Array(buffer, 0, layout.size);
  }

  private writeString(offset: number, size: number, value: string): void {
    const field = this.bytes.subarray(offset, offset + size - 1);
    field.fill(0);
    encoder.encodeInto(value, field);
    this.bytes[offset + size - 1] = 0;
  }

  private guarded(write: () => void): void {
    Atomics.add(this.words, this.layout.seqIndex, 1);
    try {
      write();
    } finally {
      Atomics.add(this.words, this.layout.seqIndex, 1);
    }
  }

  /** Stamps the current session id into crash records. */
  setSessionId(sid: string | undefined): void {
    this.guarded(() => this.writeString(this.layout.sidOffset, this.layout.sidSize, sid ?? ''));
  }

  /**
   * Sets an annotation read by the handler at crash time. Returns false when
   * all slots are taken. Keys keep to [A-Za-z0-9_.-] so one record line is one field.
   */
  setAnnotation(key: string, value: string): boolean {
    const clean = key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, this.layout.annotationKeySize - 1);
    // Slots are found in the block itself, so every thread sees the same ones.
    const { annotationOffset, annotationKeySize, annotationValueSize, annotationCount } = this.layout;
    let at = -1;
    for (let i = 0; i < annotationCount && at < 0; i++) {
      const slot = annotationOffset + i * (annotationKeySize + annotationValueSize);
      const k = this.readString(slot, annotationKeySize);
      if (k === clean || k === '') at = slot;
    }
    if (at < 0) return false;
    this.guarded(() => {
      this.writeString(at, annotationKeySize, clean);
      this.writeString(at + annotationKeySize, annotationValueSize, value);
    });
    return true;
  }

  private readString(offset: number, size: number): string {
    const field = this.bytes.subarray(offset, offset + size);
    const end = field.indexOf(0);
    return decoder.decode(field.subarray(0, end < 0 ? size : end));
  }

  /**
   * Records which JS code called wrapped function `id` ("function\0file\0
   * line\0how\0", clipped to the slot), read by the handler with the marker.
   * Written under the sequence counter: a crash mid-write drops it, never mixes two.
   */
  setCaller(id: number, caller: JsCaller): void {
    const { callerOffset, callerSize } = this.layout;
    if (id <= 0 || id >= this.layout.callCount) return;
    const fn = encoder.encode(caller.function).subarray(0, 63);
    const line = encoder.encode(String(caller.line));
    const how = encoder.encode(caller.how);
    const room = callerSize - fn.length - line.length - how.length - 4;
    // Keep the end of a long path: the file name is what tells code apart.
    const fileBytes = encoder.encode(caller.file);
    const file = fileBytes.length > room ? fileBytes.subarray(fileBytes.length - room) : fileBytes;
    const at = callerOffset + id * callerSize;
    this.guarded(() => {
      this.bytes.fill(0, at, at + callerSize);
      let p = at;
      for (const part of [fn, file, line, how]) {
        this.bytes.set(part, p);
        p += part.length + 1;
      }
    });
  }

  /**
   * Registers "addon / function" in the call table and returns its id for the
   * marker, or 0 when the table is full (calls are then not attributed).
   */
  registerCall(addon: string, fn: string): number {
    // Ids come from a counter in the block: threads never hand out the same one.
    const id = Atomics.add(this.words, this.layout.callNextIndex, 1) + 1;
    if (id >= this.layout.callCount) return 0;
    const at = this.layout.callOffset + id * this.layout.callSize;
    const a = encoder.encode(addon).subarray(0, 40);
    const f = encoder.encode(fn).subarray(0, this.layout.callSize - a.length - 2);
    this.bytes.fill(0, at, at + this.layout.callSize);
    this.bytes.set(a, at);
    this.bytes.set(f, at + a.length + 1);
    return id;
  }
}

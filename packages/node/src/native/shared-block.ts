/**
 * The JS side of the memory shared with the signal handler: plain
 * typed-array stores, no call into the addon. Strings are written between
 * two increments of the sequence counter (odd while writing), so the
 * handler can tell a torn copy; the call marker is one Int32 store.
 */
import type { SharedLayout } from './load.js';

const encoder = new TextEncoder();

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

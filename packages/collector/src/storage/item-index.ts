/**
 * The in-memory index of stored items: where each item lives in the log,
 * never its payload. Columns of typed arrays (about 40 bytes an item), so a
 * collector holding a million items keeps tens of megabytes, not the
 * gigabytes its payloads would take. Items get consecutive ids in arrival
 * order; retention removes a prefix (`dropBefore`).
 *
 * Dedupe keys are kept as 64-bit hashes in an open-addressing table; a hash
 * match is confirmed against the stored item's real key (the caller reads
 * it back), so a collision can never drop a new item.
 */

/** Where one item is: its record (logical offset and length in the log) and its place inside it. */
export interface ItemLocation {
  id: number;
  offset: number;
  length: number;
  slot: number;
  type: string;
  projectId: string;
  receivedAt: number;
}

/** An item to add: its location plus its dedupe key (if any). */
export interface NewItem {
  offset: number;
  length: number;
  slot: number;
  type: string;
  projectId: string;
  receivedAt: number;
  key: string | undefined;
}

const GROWTH = 1.5;

/** Growable typed-array column. */
class Column<T extends Float64Array | Uint32Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(Math.max(n, Math.ceil(this.data.length * GROWTH), 1024));
    next.set(this.data);
    this.data = next;
  }
  shift(by: number, count: number): void {
    this.data.copyWithin(0, by, by + count);
  }
}

const f64 = (n: number) => new Column(new Float64Array(n), (m) => new Float64Array(m));
const u32 = (n: number) => new Column(new Uint32Array(n), (m) => new Uint32Array(m));

/** Two independent 32-bit FNV-1a style hashes of a string; (0, 0) is reserved for "no key". */
export function hashKey(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a >>>= 0;
  b >>>= 0;
  return a === 0 && b === 0 ? [1, 0] : [a, b];
}

/** Names interned to small numbers (item types, project ids). */
class Names {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
  has(name: string): number | undefined {
    return this.ids.get(name);
  }
}

/** The index of one store. */
export class ItemIndex {
  /** Id of the first item still indexed (ids before it were dropped by retention). */
  firstId = 0;
  /** Number of items indexed. */
  count = 0;
  private readonly offset = f64(0);
  private readonly received = f64(0);
  private readonly length = u32(0);
  private readonly slot = u32(0);
  private readonly kind = u32(0);
  private readonly hashA = u32(0);
  private readonly hashB = u32(0);
  private readonly types = new Names();
  private readonly projects = new Names();
  /** Open addressing: slot holds id + 1 of an item with a key, 0 when empty. */
  private table = new Uint32Array(1024);
  private keyed = 0;

  /** Adds one item; returns its id. */
  add(item: NewItem): number {
    const i = this.count;
    for (const c of [this.offset, this.received, this.length, this.slot, this.kind, this.hashA, this.hashB]) c.ensure(i + 1);
    this.offset.data[i] = item.offset;
    this.received.data[i] = item.receivedAt;
    this.length.data[i] = item.length;
    this.slot.data[i] = item.slot;
    this.kind.data[i] = this.types.id(item.type);
    this.hashA.data[i] = 0;
    this.hashB.data[i] = this.projects.id(item.projectId);
    const id = this.firstId + i;
    this.count += 1;
    if (item.key !== undefined) {
      const [a, b] = hashKey(item.key);
      this.hashA.data[i] = a;
      this.setHashB(i, b);
      this.insert(id, a);
    }
    return id;
  }

  /** True when an item of `type` was ever indexed (type names are kept for good). */
  knowsType(type: string): boolean {
    return this.types.has(type) !== undefined;
  }
  /** Distinct item types indexed so far. */
  get typeCount(): number {
    return this.types.names.length;
  }

  /** Ids (ascending) of the items whose key hashes like `key`: candidates to confirm. */
  candidates(key: string): number[] {
    const [a, b] = hashKey(key);
    const hash = b >>> 8 || 1;
    const out: number[] = [];
    const mask = this.table.length - 1;
    for (let s = a & mask; this.table[s] !== 0; s = (s + 1) & mask) {
      const id = (this.table[s] as number) - 1;
      const i = id - this.firstId;
      if (i >= 0 && i < this.count && this.hashA.data[i] === a && this.hashOf(i) === hash) out.push(id);
    }
    return out.sort((x, y) => x - y);
  }

  /** The location of item `id`, or undefined when it is not (or no longer) indexed. */
  get(id: number): ItemLocation | undefined {
    const i = id - this.firstId;
    if (i < 0 || i >= this.count) return undefined;
    return {
      id,
      offset: this.offset.data[i] as number,
      length: this.length.data[i] as number,
      slot: this.slot.data[i] as number,
      type: this.types.names[this.kind.data[i] as number] as string,
      projectId: this.projects.names[this.projectOf(i)] as string,
      receivedAt: this.received.data[i] as number,
    };
  }

  /** Ids of the indexed items matching the filter, in arrival order. */
  *ids(filter: { type?: string | undefined; projectId?: string | undefined } = {}): Generator<number> {
    const type = filter.type ? this.types.has(filter.type) : undefined;
    const project = filter.projectId ? this.projects.has(filter.projectId) : undefined;
    if ((filter.type && type === undefined) || (filter.projectId && project === undefined)) return;
    // Re-read firstId/count each step: retention may drop items between steps.
    for (let id = this.firstId; id < this.firstId + this.count; id++) {
      if (id < this.firstId) id = this.firstId;
      const i = id - this.firstId;
      if (type !== undefined && this.kind.data[i] !== type) continue;
      if (project !== undefined && this.projectOf(i) !== project) continue;
      yield id;
    }
  }

  /** Logical offset of item `id`'s record (for retention scans). */
  offsetOf(id: number): number {
    return this.offset.data[id - this.firstId] as number;
  }
  /** Record body length of item `id`. */
  lengthOf(id: number): number {
    return this.length.data[id - this.firstId] as number;
  }
  /** When item `id` was accepted. */
  receivedAtOf(id: number): number {
    return this.received.data[id - this.firstId] as number;
  }

  /** Forgets every item before `id` (retention); the dedupe table is rebuilt from the kept hashes. */
  dropBefore(id: number): void {
    const n = Math.min(Math.max(0, id - this.firstId), this.count);
    if (n === 0) return;
    const keep = this.count - n;
    for (const c of [this.offset, this.received, this.length, this.slot, this.kind, this.hashA, this.hashB]) c.shift(n, keep);
    this.firstId += n;
    this.count = keep;
    this.table = new Uint32Array(tableSize(this.count));
    this.keyed = 0;
    for (let i = 0; i < keep; i++) {
      const a = this.hashA.data[i] as number;
      if (this.hashOf(i) !== 0) this.insert(this.firstId + i, a);
    }
  }

  /** Bytes held by the index (for the memory figures). */
  bytes(): number {
    const cols = [this.offset, this.received, this.length, this.slot, this.kind, this.hashA, this.hashB];
    return cols.reduce((sum, c) => sum + c.data.byteLength, 0) + this.table.byteLength;
  }

  // hashB packs the project (low 8 bits: only configured projects are ever
  // stored) and 24 bits of the second hash, never 0 for an item with a key
  // and 0 for one without.
  private projectOf(i: number): number {
    return (this.hashB.data[i] as number) & 0xff;
  }
  private hashOf(i: number): number {
    return (this.hashB.data[i] as number) >>> 8;
  }
  private setHashB(i: number, b: number): void {
    const hash = (b >>> 8) || 1;
    this.hashB.data[i] = ((hash << 8) | this.projectOf(i)) >>> 0;
  }

  private insert(id: number, a: number): void {
    if ((this.keyed + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    let s = a & mask;
    while (this.table[s] !== 0) s = (s + 1) & mask;
    this.table[s] = id + 1;
    this.keyed += 1;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.keyed = 0;
    for (const entry of old) {
      if (entry === 0) continue;
      const i = entry - 1 - this.firstId;
      if (i >= 0 && i < this.count) this.insert(entry - 1, this.hashA.data[i] as number);
    }
  }
}

function tableSize(keys: number): number {
  let size = 1024;
  while (size < keys * 2 + 2) size *= 2;
  return size;
}

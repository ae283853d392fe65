/**
 * Which files of a shared data dir this run may see. Cluster workers (or any
 * processes of one app) share a data dir; each must send only its own queued
 * envelopes and crash records, plus those of dead runs it has claimed — never
 * a live sibling's, and never a dead run's that another sibling claimed.
 * Otherwise every process starting at once would send the same leftovers.
 */
import type { Liveness, OwnerMarker } from '@crashfree/core';
import { readWriter } from './store-format.js';

/** Decides visibility from each file's writer tag. */
export interface Visibility {
  /** This run's writer tag, stamped into every file it writes. */
  readonly writer: string;
  /** The keys whose files this run may see: its own, untagged ones, and claimed dead runs'. */
  filter(entries: Array<{ key: string; file: string }>): Promise<string[]>;
  /** Synchronous form for the fatal path: its own and untagged files only. */
  filterSync(entries: Array<{ key: string; file: string }>): string[];
}

/** The writer tag of an owner marker. */
export function writerTag(owner: OwnerMarker): string {
  return Buffer.from(JSON.stringify(owner)).toString('base64url');
}

function ownerOf(tag: string): OwnerMarker | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(tag, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as OwnerMarker) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `liveness` must be the claiming liveness (see claim.ts): "not alive" then
 * means "dead, and this run holds the claim on it".
 */
export function createVisibility(liveness: Liveness): Visibility {
  const writer = writerTag(liveness.owner());
  return {
    writer,
    async filter(entries) {
      const verdicts = new Map<string, boolean>();
      const visible: string[] = [];
      for (const { key, file } of entries) {
        const tag = readWriter(file);
        if (tag === undefined || tag === writer) {
          visible.push(key);
          continue;
        }
        let mine = verdicts.get(tag);
        if (mine === undefined) {
          const owner = ownerOf(tag);
          mine = owner === undefined ? true : !(await liveness.isAlive(owner));
          verdicts.set(tag, mine);
        }
        if (mine) visible.push(key);
      }
      return visible;
    },
    filterSync(entries) {
      return entries.filter(({ file }) => {
        const tag = readWriter(file);
        return tag === undefined || tag === writer;
      }).map((e) => e.key);
    },
  };
}

/**
 * What the store refuses to keep. Item types that are not short names, and
 * more distinct types than MAX_ITEM_TYPES: the in-memory index keeps every
 * type name it has seen, so a type must not be able to carry a payload's
 * worth of bytes into memory (Sentry's types are names like `event`,
 * `replay_recording`, `check_in`). And JSON nested deeper than MAX_DEPTH. Such a
 * value parses (JSON.parse is iterative) but cannot be serialised back
 * (JSON.stringify recurses and overflows the stack), and every reader that
 * walks it would fail the same way; no SDK sends it (they normalise to a
 * few levels). Refused with a 400 and a one-line reason, so an SDK drops it
 * instead of retrying it forever.
 */
import { EnvelopeError } from '../envelope.js';
import type { PreparedEnvelope } from '../prepare.js';

/** The shape of an item type the collector stores. */
export const ITEM_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Distinct item types one store keeps (Sentry knows about twenty). */
export const MAX_ITEM_TYPES = 256;

/** Deepest nesting of objects and arrays the collector stores (the top-level object is depth 1). */
export const MAX_DEPTH = 256;

/**
 * Throws EnvelopeError (→ 400) naming the first item whose type is not a
 * type name or would pass MAX_ITEM_TYPES (`knownType`/`typeCount` describe
 * the store), or the first part of `envelope` nested deeper than MAX_DEPTH.
 */
export function assertStorable(envelope: PreparedEnvelope, knownType: (type: string) => boolean = () => true, typeCount = 0): void {
  const fresh = new Set<string>();
  envelope.items.forEach((item, index) => {
    if (!ITEM_TYPE.test(item.type)) throw new EnvelopeError(`item ${index} type ${JSON.stringify(item.type.slice(0, 64))}${item.type.length > 64 ? '...' : ''} is not an item type name (letters, digits, _ . -, at most 64)`);
    if (!knownType(item.type)) fresh.add(item.type);
  });
  if (fresh.size > 0 && typeCount + fresh.size > MAX_ITEM_TYPES) {
    throw new EnvelopeError(`item type ${JSON.stringify([...fresh][0])} would be one more than the ${MAX_ITEM_TYPES} distinct item types a collector keeps`);
  }
  if (tooDeep(envelope.envelopeHeaders)) throw new EnvelopeError(`envelope header nests deeper than ${MAX_DEPTH} levels`);
  envelope.items.forEach((item, index) => {
    if (tooDeep(item.headers)) throw new EnvelopeError(`item ${index} ("${item.type.slice(0, 64)}") header nests deeper than ${MAX_DEPTH} levels`);
    if (tooDeep(item.payload)) throw new EnvelopeError(`item ${index} ("${item.type.slice(0, 64)}") payload nests deeper than ${MAX_DEPTH} levels`);
  });
}

/** Iterative (an explicit stack), so the check itself cannot overflow on what it refuses. */
function tooDeep(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<{ node: object; depth: number }> = [{ node: value, depth: 1 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (top.depth > MAX_DEPTH) return true;
    const children: unknown[] = Array.isArray(top.node) ? top.node : Object.values(top.node);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ node: child, depth: top.depth + 1 });
  }
  return false;
}

/**
 * What the store refuses to keep: JSON nested deeper than MAX_DEPTH. Such a
 * value parses (JSON.parse is iterative) but cannot be serialised back
 * (JSON.stringify recurses and overflows the stack), and every reader that
 * walks it would fail the same way; no SDK sends it (they normalise to a
 * few levels). Refused with a 400 and a one-line reason, so an SDK drops it
 * instead of retrying it forever.
 */
import { EnvelopeError } from '../envelope.js';
import type { PreparedEnvelope } from '../prepare.js';

/** Deepest nesting of objects and arrays the collector stores (the top-level object is depth 1). */
export const MAX_DEPTH = 256;

/** Throws EnvelopeError (→ 400) naming the first part of `envelope` nested deeper than MAX_DEPTH. */
export function assertStorable(envelope: PreparedEnvelope): void {
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

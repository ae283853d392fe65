/**
 * Unknown options at init: a misspelt option (`sampelRate`, `queue.maxcount`)
 * would otherwise be ignored without a word. One warning per unknown name,
 * with the option meant when one is close; the SDK stays on. Kept small: it
 * is in every page's bundle.
 */

/** Levenshtein distance, case-insensitive, one row at a time (`row[j]`: distance of the prefix so far to b's first j). */
function distance(a: string, b: string): number {
  b = b.toLowerCase();
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (const c of a.toLowerCase()) {
    let diagonal = row[0]!++;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (c === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The warnings for the keys of `o` not in `known` (names starting with `_`
 * are @sentry/core internals and pass). The closest known name within two
 * edits (and a third of the name's length) is suggested.
 */
export function unknownOptionWarnings(o: Record<string, unknown>, known: string[], prefix = ''): string[] {
  const warnings: string[] = [];
  for (const key in o) {
    if (key[0] === '_' || known.includes(key)) continue;
    let best = '';
    let bestDistance = Math.min(3, key.length / 3 + 1);
    for (const name of known) {
      const n = distance(key, name);
      if (n < bestDistance) (best = name), (bestDistance = n);
    }
    warnings.push(`[crashfree] init: unknown option "${prefix}${key}" is ignored${best && `; did you mean "${prefix}${best}"?`}`);
  }
  return warnings;
}

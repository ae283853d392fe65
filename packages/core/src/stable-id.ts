/**
 * A 32-hex-digit id derived from `text` alone (four independently seeded
 * 32-bit FNV-1a style lanes): the same input gives the same id in every run
 * and runtime, so an event re-sent by a later launch keeps its event_id and
 * the backend dedupes it. Not a cryptographic hash; only stability and a low
 * collision rate matter here.
 */
export function stableId(text: string): string {
  let out = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
      h ^= h >>> 15;
    }
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

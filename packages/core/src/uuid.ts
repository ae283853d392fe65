/**
 * A random 32-hex-digit id (a v4 UUID without dashes), the form Sentry uses
 * for `event_id` and session `sid`. From Math.random, which every runtime
 * has (`crypto.randomUUID` is missing from insecure pages and older React
 * Native): ids need uniqueness, not secrecy.
 */
export function uuid4(): string {
  let out = '';
  for (let i = 0; i < 32; i++) {
    const r = (Math.random() * 16) | 0;
    out += (i === 12 ? 4 : i === 16 ? (r & 3) | 8 : r).toString(16);
  }
  return out;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * SHA-256 hex of the UTF-8 bytes of `text` through WebCrypto, or undefined
 * when the runtime has none or refuses it (insecure browser contexts).
 */
export async function webCryptoSha256Hex(text: string): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle) return undefined;
  try {
    return toHex(new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text))));
  } catch {
    return undefined;
  }
}

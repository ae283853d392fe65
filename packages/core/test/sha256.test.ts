import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256HexSync } from '@crashfree/core';

describe('sha256', () => {
  const vectors: Array<[string, string]> = [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ];
  it('matches the FIPS 180-2 vectors (pure form)', () => {
    for (const [input, hex] of vectors) expect(sha256HexSync(input)).toBe(hex);
  });
  it('agrees with WebCrypto across lengths around the block boundaries and for non-ASCII text', async () => {
    for (const len of [1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const text = 'u'.repeat(len - 1) + 'é';
      const subtle = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('hex');
      expect(sha256HexSync(text)).toBe(subtle);
      expect(await sha256Hex(text)).toBe(subtle);
    }
  });
});

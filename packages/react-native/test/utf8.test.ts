import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../src/utf8.js';

describe('UTF-8 fallbacks for engines without TextEncoder/TextDecoder', () => {
  it('match TextEncoder/TextDecoder on ASCII, multi-byte, astral and lone-surrogate text', () => {
    for (const text of ['{"sid":"abc"}', 'é ✓ 日本', '😀 a 𝄞', 'lone \ud800 x', '']) {
      const bytes = utf8Encode(text);
      expect([...bytes]).toEqual([...new TextEncoder().encode(text)]);
      expect(utf8Decode(bytes)).toBe(new TextDecoder().decode(bytes));
    }
    const invalid = new Uint8Array([0x61, 0xff, 0xc3]);
    expect(utf8Decode(invalid)).toBe(new TextDecoder().decode(invalid));
  });
});

// Engines without TextEncoder/TextDecoder (older Hermes, JSC): the core's own
// UTF-8 fallback keeps the durable queue readable across launches.
import { afterEach, describe, expect, it } from 'vitest';
import { getMainCarrier, SDK_VERSION } from '@sentry/core';
import type { Collector } from '@crashfree/collector';
import { createClient, createMemoryStore } from '@crashfree/core';
import { utf8Decode, utf8Encode } from '../src/utf8.js';
import { collector, testPlatform, until } from './helpers.js';

const g = globalThis as { TextEncoder?: unknown; TextDecoder?: unknown };
const saved = { TextEncoder: g.TextEncoder, TextDecoder: g.TextDecoder };
let c: Collector | undefined;
afterEach(async () => {
  g.TextEncoder = saved.TextEncoder;
  g.TextDecoder = saved.TextDecoder;
  const carrier = (getMainCarrier() as { __SENTRY__?: Record<string, Record<string, unknown> | undefined> }).__SENTRY__?.[SDK_VERSION];
  delete carrier?.encodePolyfill;
  delete carrier?.decodePolyfill;
  await c?.close();
  c = undefined;
});

describe('UTF-8 fallback', () => {
  it('matches TextEncoder/TextDecoder on ASCII, multi-byte, astral, lone surrogates and invalid bytes', () => {
    for (const text of ['{"sid":"abc"}', 'é ✓ 日本', '😀 a 𝄞', 'lone \ud800 x', 'end \udc00', '']) {
      const bytes = utf8Encode(text);
      expect([...bytes]).toEqual([...new TextEncoder().encode(text)]);
      expect(utf8Decode(bytes)).toBe(new TextDecoder().decode(bytes));
    }
    for (const invalid of [[0x61, 0xff, 0xc3], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc3, 0x28], [0xf4, 0x90, 0x80, 0x80]]) {
      const bytes = new Uint8Array(invalid);
      expect(utf8Decode(bytes)).toBe(new TextDecoder().decode(bytes));
    }
  });

  it('without TextEncoder/TextDecoder, an envelope queued offline is read back and delivered on the next launch', async () => {
    c = await collector();
    delete g.TextEncoder;
    delete g.TextDecoder;
    const store = createMemoryStore();
    const dead = new Set<string>();
    const first = createClient({ dsn: c.dsn, release: 'app@1' }, testPlatform({ store, run: 'one', dead, makeRequest: () => Promise.reject(new Error('offline')) }));
    await first.start();
    const id = first.captureException(new Error('naïve ✓ 日本 😀'));
    await first.flush(50);
    expect((await store.keys('queue/')).length).toBeGreaterThan(0);
    (first.getTransport() as unknown as { dispose(): void }).dispose();
    dead.add('one');

    const platform = testPlatform({ store, run: 'two', dead });
    const second = createClient({ dsn: c.dsn, release: 'app@1' }, platform);
    await second.start();
    await until(() => c!.items({ type: 'event' }).length === 1, 'the queued event');
    await second.close(5000);
    const event = c.items({ type: 'event' })[0]!.payload as { event_id: string; exception: { values: Array<{ value: string }> } };
    expect(event.event_id).toBe(id);
    expect(event.exception.values[0]!.value).toBe('naïve ✓ 日本 😀');
    expect(platform.warnings.join('\n')).not.toContain('unreadable');
  });
});

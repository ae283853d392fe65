// Unknown options at init: one warning each, naming the option and, when
// one is close, the option meant; the SDK stays on. Both clients (Node and
// React Native use createClient, the browser createLiteClient).
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@crashfree/core';
import { close, createLiteClient } from '@crashfree/core/lite';
import { testPlatform } from './helpers.js';

const DSN = 'http://abc@127.0.0.1:9/1';
const base = { dsn: DSN, release: 'app@1.0.0' };
const unknown = (warnings: string[]) => warnings.filter((w) => w.includes('unknown option'));

describe('unknown options', () => {
  afterEach(async () => {
    await close(0);
  });

  it('createClient: a misspelt option is named with the option meant, and the client stays enabled', async () => {
    const platform = testPlatform();
    const client = createClient({ ...base, sampelRate: 0.5 }, platform);
    expect(client.isEnabled()).toBe(true);
    expect(platform.errors).toEqual([]);
    expect(unknown(platform.warnings)).toEqual(['[crashfree] init: unknown option "sampelRate" is ignored; did you mean "sampleRate"?']);
    await client.close(0);
  });

  it('a nested queue option in the wrong case suggests the right one', async () => {
    const platform = testPlatform();
    const client = createClient({ ...base, queue: { maxcount: 5 } }, platform);
    expect(client.isEnabled()).toBe(true);
    expect(unknown(platform.warnings)).toEqual(['[crashfree] init: unknown option "queue.maxcount" is ignored; did you mean "queue.maxCount"?']);
    await client.close(0);
  });

  it('an option far from every known one is named without a guess; one warning per option', async () => {
    const platform = testPlatform();
    const client = createClient({ ...base, colour: 'blue', relase: 'x' }, platform);
    expect(unknown(platform.warnings)).toEqual([
      '[crashfree] init: unknown option "colour" is ignored',
      '[crashfree] init: unknown option "relase" is ignored; did you mean "release"?',
    ]);
    await client.close(0);
  });

  it("@sentry/core's own options and its internals (`_experiments`) are known to createClient", async () => {
    const platform = testPlatform();
    const client = createClient({ ...base, tracesSampleRate: 0, maxValueLength: 100, sendDefaultPii: false, _experiments: {}, queue: { maxBytes: 4096, keyPrefix: 'q/' } }, platform);
    expect(unknown(platform.warnings)).toEqual([]);
    await client.close(0);
  });

  it('createLiteClient: the same warning; tracing options it does not run are unknown to it', () => {
    const platform = testPlatform();
    const client = createLiteClient({ ...base, sampelRate: 0.5, tracesSampleRate: 1, debug: false }, platform);
    expect(client.isEnabled()).toBe(true);
    expect(unknown(platform.warnings)).toEqual([
      '[crashfree] init: unknown option "sampelRate" is ignored; did you mean "sampleRate"?',
      '[crashfree] init: unknown option "tracesSampleRate" is ignored',
    ]);
  });

  it('a wrong value still disables the client, as before, without unknown-option noise', () => {
    const platform = testPlatform();
    const client = createClient({ ...base, sampleRate: 2, sampelRate: 1 }, platform);
    expect(client.isEnabled()).toBe(false);
    expect(platform.errors).toHaveLength(1);
  });
});

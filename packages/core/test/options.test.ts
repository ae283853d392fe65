import { describe, expect, it } from 'vitest';
import { createClient, validateOptions } from '@crashfree/core';
import { validateLiteOptions } from '@crashfree/core/lite';
import { testPlatform } from './helpers.js';

const DSN = 'http://abc@127.0.0.1:9/1';

describe('options validation', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ sampleRate: 2 }, 'option "sampleRate" is 2 (number); expected a number from 0 to 1'],
    [{ sampleRate: '0.5' }, 'option "sampleRate" is "0.5" (string); expected a number from 0 to 1'],
    [{ dsn: 'not a dsn' }, 'option "dsn" is "not a dsn" (string); expected a DSN string such as "https://KEY@host/1"'],
    [{ release: 42 }, 'option "release" is 42 (number); expected a non-empty string'],
    [{ environment: '' }, 'option "environment" is "" (string); expected a non-empty string'],
    [{ sessionMode: 'page' }, 'option "sessionMode" is "page" (string); expected "application" or "request"'],
    [{ beforeSend: true }, 'option "beforeSend" is true (boolean); expected a function (event, hint) => event | null'],
    [{ fingerprintBudget: -1 }, 'option "fingerprintBudget" is -1 (number); expected an integer from 0 to 1000000'],
    [{ fingerprintBudget: 1.5 }, 'option "fingerprintBudget" is 1.5 (number); expected an integer from 0 to 1000000'],
    [{ spikeLimitPerMinute: 0 }, 'option "spikeLimitPerMinute" is 0 (number); expected an integer from 1 to 1000000'],
    [{ hashUserId: 'yes' }, 'option "hashUserId" is "yes" (string); expected true or false'],
    [{ debug: 1 }, 'option "debug" is 1 (number); expected true or false'],
    [{ aggregateFlushIntervalMs: 5 }, 'option "aggregateFlushIntervalMs" is 5 (number); expected an integer from 10 to 3600000 (ms)'],
    [{ integrations: 'all' }, 'option "integrations" is "all" (string); expected an array of integrations or a function returning one'],
    [{ queue: 5 }, 'option "queue" is 5 (number); expected an object { maxCount, maxBytes, maxAgeMs }'],
    [{ queue: { maxCount: 0 } }, 'option "queue.maxCount" is 0 (number); expected an integer of at least 1'],
    [{ queue: { maxBytes: 10 } }, 'option "queue.maxBytes" is 10 (number); expected an integer of at least 1024 (bytes)'],
    [{ queue: { maxAgeMs: null } }, 'option "queue.maxAgeMs" is null; expected an integer of at least 1000 (ms)'],
    [{ maxBreadcrumbs: -5 }, 'option "maxBreadcrumbs" is -5 (number); expected an integer from 0 to 1000'],
    [{ clientReportFlushInterval: 'soon' }, 'option "clientReportFlushInterval" is "soon" (string); expected an integer from 10 to 3600000'],
    [{ attachStacktrace: 'no' }, 'option "attachStacktrace" is "no" (string); expected true or false'],
    [{ dist: 7 }, 'option "dist" is 7 (number); expected a non-empty string'],
    [{ beforeBreadcrumb: {} }, 'option "beforeBreadcrumb" is an object; expected a function'],
    [{ ignoreErrors: 'ECONNRESET' }, 'option "ignoreErrors" is "ECONNRESET" (string); expected an array of strings or regular expressions'],
  ];
  for (const [bad, message] of cases) {
    it(`names the option, the value and the expectation: ${Object.keys(bad)[0]}`, () => {
      expect(validateOptions({ dsn: DSN, release: 'a@1', ...bad }).problems).toEqual([message]);
    });
  }

  it('validateLiteOptions checks a platform\'s own options after the core\'s, in the same message form', () => {
    const more = { heartbeatMs: [(v: unknown) => typeof v === 'number' && v >= 100, 'an integer of at least 100 (ms)'] as [(v: unknown) => boolean, string] };
    expect(validateLiteOptions({ dsn: DSN, sampleRate: 3, heartbeatMs: 5 }, more).problems).toEqual([
      'option "sampleRate" is 3 (number); expected a number from 0 to 1',
      'option "heartbeatMs" is 5 (number); expected an integer of at least 100 (ms)',
    ]);
    expect(validateLiteOptions({ dsn: DSN, heartbeatMs: 500 }, more).options?.sentry).toMatchObject({ heartbeatMs: 500 });
  });

  it('rejects options that are not an object', () => {
    expect(validateOptions('dsn').problems).toEqual(['options are "dsn" (string); expected an object such as { dsn, release }']);
  });

  it('accepts a full valid set and fills defaults', () => {
    const { problems, options } = validateOptions({ dsn: DSN, release: 'a@1', sampleRate: 0.25, queue: { maxCount: 5 } });
    expect(problems).toEqual([]);
    expect(options).toMatchObject({ sessionMode: 'application', sampleRate: 0.25, fingerprintBudget: 20, spikeLimitPerMinute: 60, environment: 'production' });
    expect(options?.queue).toEqual({ maxCount: 5, maxBytes: 20 * 1024 * 1024, maxAgeMs: 30 * 24 * 3600 * 1000 });
  });

  it('a wrong option logs one console.error and gives a disabled client that does nothing', async () => {
    const platform = testPlatform();
    let requests = 0;
    platform.makeRequest = async () => {
      requests += 1;
      return { statusCode: 200, headers: {} };
    };
    const client = createClient({ dsn: DSN, release: 'a@1', sampleRate: 2, spikeLimitPerMinute: 'lots' }, platform);
    expect(platform.errors).toEqual([
      '[crashfree] init: option "sampleRate" is 2 (number); expected a number from 0 to 1; option "spikeLimitPerMinute" is "lots" (string); expected an integer from 1 to 1000000. crashfree is disabled.',
    ]);
    expect(client.isEnabled()).toBe(false);
    expect(await client.start()).toEqual({ crashed: 0, abnormal: 0, events: 0, pending: 0 });
    expect(client.captureException(new Error('x'))).toBe('');
    expect(client.getSessionId()).toBeUndefined();
    expect(client.captureFatalSync(new Error('x'))).toBeUndefined();
    await client.close(100);
    expect(requests).toBe(0);
    expect(await platform.store.keys()).toEqual([]);
  });

  it('warns once for a missing or constant release', () => {
    for (const release of [undefined, 'latest', 'Production', 'main']) {
      const platform = testPlatform();
      createClient({ dsn: DSN, ...(release !== undefined && { release }) }, platform);
      expect(platform.warnings).toHaveLength(1);
      expect(platform.warnings[0]).toMatch(release === undefined ? /no "release" option/ : /release is the constant/);
    }
    const ok = testPlatform();
    createClient({ dsn: DSN, release: 'shop@4.1.0+build.7' }, ok);
    expect(ok.warnings).toEqual([]);
  });

  it('an incomplete platform is reported like a wrong option', () => {
    const platform = testPlatform();
    const broken = { ...platform, makeRequest: undefined } as unknown as typeof platform;
    const client = createClient({ dsn: DSN, release: 'a@1' }, broken);
    expect(platform.errors).toEqual(['[crashfree] init: platform.makeRequest is not a function. crashfree is disabled.']);
    expect(client.isEnabled()).toBe(false);
  });
});

describe('queue.keyPrefix', () => {
  it('accepts a prefix ending in "/" and names a wrong one', () => {
    expect(validateOptions({ dsn: DSN, release: 'a@1', queue: { keyPrefix: 'tab/1/queue/' } }).options?.queue.keyPrefix).toBe('tab/1/queue/');
    expect(validateOptions({ dsn: DSN, release: 'a@1', queue: { keyPrefix: 'queue' } }).problems).toEqual([
      'option "queue.keyPrefix" is "queue" (string); expected a key prefix ending in "/", such as "queue/"',
    ]);
  });
});

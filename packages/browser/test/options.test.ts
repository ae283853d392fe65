import { validateLiteOptions } from '@crashfree/core/lite';
import { describe, expect, it } from 'vitest';
import { BROWSER_OPTION_RULES } from '../src/options.js';

const problems = (options: object): string[] => validateLiteOptions(options, BROWSER_OPTION_RULES).problems;

describe('browser option rules', () => {
  it('accept good browser options next to the core ones', () => {
    expect(problems({ dsn: 'https://k@h/1', release: 'a@1', dbName: 'x', heartbeatMs: 5000 })).toEqual([]);
  });

  it('name each bad option, its value and what is expected, the core options included', () => {
    expect(problems({ sampleRate: 2, dbName: '', heartbeatMs: 10 })).toEqual([
      'option "sampleRate" is 2 (number); expected a number from 0 to 1',
      'option "dbName" is "" (string); expected a non-empty string',
      'option "heartbeatMs" is 10 (number); expected an integer of at least 1000 (ms)',
    ]);
    expect(problems({ heartbeatMs: 1500.5 })).toEqual(['option "heartbeatMs" is 1500.5 (number); expected an integer of at least 1000 (ms)']);
    expect(problems({ dbName: 7 })).toEqual(['option "dbName" is 7 (number); expected a non-empty string']);
  });
});

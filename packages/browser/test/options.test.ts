import { describe, expect, it } from 'vitest';
import { browserOptionProblems } from '../src/options.js';

describe('browserOptionProblems', () => {
  it('accepts good browser options and leaves the core options alone', () => {
    expect(browserOptionProblems({ dsn: 'https://k@h/1', sampleRate: 7, dbName: 'x', heartbeatMs: 5000 } as object)).toEqual([]);
  });

  it('names each bad option, its value and what is expected', () => {
    expect(browserOptionProblems({ dbName: '', heartbeatMs: 10 })).toEqual([
      'option "dbName" is "" (string); expected a non-empty string',
      'option "heartbeatMs" is 10 (number); expected an integer of at least 1000 (milliseconds)',
    ]);
    expect(browserOptionProblems({ heartbeatMs: 1500.5 })).toEqual(['option "heartbeatMs" is 1500.5 (number); expected an integer of at least 1000 (milliseconds)']);
    expect(browserOptionProblems({ dbName: 7 } as object)).toEqual(['option "dbName" is 7 (number); expected a non-empty string']);
  });
});

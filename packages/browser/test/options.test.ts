import { describe, expect, it } from 'vitest';
import { splitBrowserOptions } from '../src/options.js';

describe('splitBrowserOptions', () => {
  it('keeps the core options apart from the browser ones', () => {
    const r = splitBrowserOptions({ dsn: 'https://k@h/1', release: 'a@1', newSessionOnNavigation: true, dbName: 'x', heartbeatMs: 5000 });
    expect(r.problems).toEqual([]);
    expect(r.core).toEqual({ dsn: 'https://k@h/1', release: 'a@1' });
    expect(r.browser).toMatchObject({ newSessionOnNavigation: true, dbName: 'x', heartbeatMs: 5000 });
  });

  it('names each bad option, its value and what is expected', () => {
    const r = splitBrowserOptions({ newSessionOnNavigation: 'yes', dbName: '', heartbeatMs: 10 });
    expect(r.problems).toEqual([
      'option "newSessionOnNavigation" is "yes" (string); expected true or false',
      'option "dbName" is "" (string); expected a non-empty string',
      'option "heartbeatMs" is 10 (number); expected an integer of at least 1000 (milliseconds)',
    ]);
  });
});

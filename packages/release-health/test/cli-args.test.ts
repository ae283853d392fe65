import { describe, expect, it } from 'vitest';
import { parseGateArgs, UsageError } from '../src/index.js';

const base = ['--url', 'http://127.0.0.1:8969/', '--org', 'acme', '--token', 't', '--release', '1.1.0'];

describe('parseGateArgs', () => {
  it('applies the documented defaults', () => {
    const o = parseGateArgs(base);
    expect(o).toMatchObject({
      url: 'http://127.0.0.1:8969',
      metric: 'sessions',
      minSample: 500,
      threshold: 99.5,
      maxDrop: 0.5,
      poll: 60_000,
      timeout: 7_200_000,
      baseline: null,
      json: false,
      segmentBy: null,
    });
  });

  it('reads every flag, with = or a separate value', () => {
    const o = parseGateArgs([
      ...base,
      '--baseline=1.0.0', '--environment', 'production', '--metric', 'users', '--min-sessions', '100', '--min-users', '40',
      '--threshold', '99.9', '--max-drop', '0.2', '--poll', '500ms', '--timeout', '5m', '--json', '--per-platform',
      '--on-pass', 'echo ok', '--on-halt', 'echo no', '--project', '1', '--project', '2',
    ]);
    expect(o).toMatchObject({
      baseline: '1.0.0', environment: 'production', metric: 'users', minSample: 40, threshold: 99.9, maxDrop: 0.2,
      poll: 500, timeout: 300_000, json: true, segmentBy: 'platform', onPass: 'echo ok', onHalt: 'echo no', projects: ['1', '2'],
    });
  });

  it('takes the token from CRASHFREE_TOKEN when --token is absent', () => {
    const argv = base.filter((a, i) => a !== '--token' && base[i - 1] !== '--token');
    expect(parseGateArgs(argv, { CRASHFREE_TOKEN: 'env-token' }).token).toBe('env-token');
  });

  it('names the flag, the value and what is expected', () => {
    const cases: Array<[string[], string]> = [
      [base.slice(0, 6), '--release is required'],
      [[...base, '--threshold', '120'], '--threshold is "120"; expected a number from 0 to 100'],
      [[...base, '--metric', 'events'], '--metric is "events"; expected sessions or users'],
      [[...base, '--poll', 'soon'], '--poll is "soon"; expected a duration like 30s, 5m, 2h'],
      [[...base, '--min-sessions', '1.5'], '--min-sessions is "1.5"; expected an integer from 1'],
      [[...base, '--colour'], 'unknown flag --colour'],
      [['--url', 'ftp://x', '--org', 'a', '--token', 't', '--release', 'r'], '--url is "ftp://x"'],
      [[...base, '--release', 'again'], '--release given 2 times'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseGateArgs(argv), message).toThrow(UsageError);
      expect(() => parseGateArgs(argv)).toThrow(message);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { applyEnvDefaults, splitNodeOptions } from '../src/options.js';
import { defaultDataDir } from '../src/data-dir.js';

describe('node options', () => {
  it('names the option, the value and what is expected', () => {
    const { problems } = splitNodeOptions({ anrThresholdMs: -1, dataDir: 5, shutdownTimeoutMs: 'x' });
    expect(problems).toEqual([
      'option "dataDir" is 5 (number); expected a non-empty path string',
      'option "anrThresholdMs" is -1 (number); expected 0 (off) or an integer from 50 to 3600000 (ms)',
      'option "shutdownTimeoutMs" is "x" (string); expected an integer from 0 to 60000 (ms)',
    ]);
  });

  it('keeps node-only options away from the core and applies defaults', () => {
    const { core, node, problems } = splitNodeOptions({ dsn: 'http://k@h/1', dataDir: '/tmp/x', anrThresholdMs: 0 });
    expect(problems).toEqual([]);
    expect(core).toEqual({ dsn: 'http://k@h/1' });
    expect(node).toMatchObject({ dataDir: '/tmp/x', anrThresholdMs: 0, shutdownTimeoutMs: 2000 });
  });

  it('reads CRASHFREE_* first, then SENTRY_*, and never overrides explicit options', () => {
    const env = { CRASHFREE_RELEASE: 'app@2', SENTRY_RELEASE: 'app@1', SENTRY_DSN: 'http://k@h/2', SENTRY_ENVIRONMENT: 'staging' };
    expect(applyEnvDefaults({}, env)).toEqual({ release: 'app@2', dsn: 'http://k@h/2', environment: 'staging' });
    expect(applyEnvDefaults({ release: 'explicit' }, env).release).toBe('explicit');
  });

  it('puts the default data dir under XDG_STATE_HOME, one per app and DSN', () => {
    const a = defaultDataDir({ XDG_STATE_HOME: '/state' }, ['node', 'app.js'], '/srv', 'http://k@h/1');
    const b = defaultDataDir({ XDG_STATE_HOME: '/state' }, ['node', 'app.js'], '/srv', 'http://k@h/2');
    const c = defaultDataDir({ XDG_STATE_HOME: '/state' }, ['node', '/srv/app.js'], '/elsewhere', 'http://k@h/1');
    expect(a.startsWith('/state/crashfree/')).toBe(true);
    expect(a).not.toBe(b);
    expect(a).toBe(c);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { init } from '../src/init.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('init with a wrong option', () => {
  it('logs one error naming the option, the value and what is expected, and stays off', () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    const before = process.listenerCount('uncaughtException');
    const client = init({ dsn: 'http://key@127.0.0.1:1/1', release: 'x@1', anrThresholdMs: -5 });
    expect(client.isEnabled()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('option "anrThresholdMs" is -5 (number); expected 0 (off) or an integer from 50 to 3600000 (ms)');
    expect(errors[0]).toContain('crashfree is disabled');
    // Off means off: no process hooks were installed.
    expect(process.listenerCount('uncaughtException')).toBe(before);
  });

  it('reports a wrong core option the same way', () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const dataDir = path.join(os.tmpdir(), `cf-never-created-${process.pid}`);
    const client = init({ dsn: 'http://key@127.0.0.1:1/1', release: 'x@1', sampleRate: 2, anrThresholdMs: 'soon' as unknown as number, dataDir });
    expect(client.isEnabled()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('option "sampleRate" is 2 (number); expected a number from 0 to 1');
    expect(errors[0]).toContain('option "anrThresholdMs" is "soon" (string)');
    // A disabled SDK leaves no trace on disk.
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('without a DSN says so once, stays off and writes nothing', () => {
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const dataDir = path.join(os.tmpdir(), `cf-no-dsn-${process.pid}`);
    const saved = { CRASHFREE_DSN: process.env.CRASHFREE_DSN, SENTRY_DSN: process.env.SENTRY_DSN };
    delete process.env.CRASHFREE_DSN;
    delete process.env.SENTRY_DSN;
    try {
      const client = init({ release: 'x@1', dataDir });
      expect(client.isEnabled()).toBe(false);
      expect(warnings.filter((w) => w.includes('"dsn"'))).toHaveLength(1);
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
    }
  });
});

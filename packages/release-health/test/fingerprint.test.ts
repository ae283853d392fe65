import { describe, expect, it } from 'vitest';
import { fingerprintOf, nativeFingerprint, FINGERPRINT_VERSION, type FingerprintFrame } from '@crashfree/release-health';

const frame = (filename: string, fn: string, lineno: number, in_app = true): FingerprintFrame & { lineno: number; colno: number } => ({ filename, function: fn, lineno, colno: lineno * 3, in_app });
const error = (type: string, value: string, frames: FingerprintFrame[]) => ({ exception: { values: [{ type, value, stacktrace: { frames } }] } });

describe(`fingerprint contract v${FINGERPRINT_VERSION}`, () => {
  const v1 = error('NotFound', 'User 123 not found', [
    frame('node:internal/process/task_queues', 'processTicksAndRejections', 95, false),
    frame('/srv/app-1.0.0/server.js', 'handle', 10),
    frame('/srv/app-1.0.0/lib/users.js', 'loadUser', 42),
  ]);
  // Next release: installed elsewhere, lines moved, another id in the message.
  const v2 = error('NotFound', 'User 456 not found', [
    frame('node:internal/process/task_queues', 'processTicksAndRejections', 101, false),
    frame('/opt/deploy/b7f3e9a1c2/server.js', 'handle', 17),
    frame('/opt/deploy/b7f3e9a1c2/lib/users.js', 'loadUser', 61),
  ]);

  it('the same bug from two releases (moved lines, other install dir, other ids) has one key', () => {
    expect(fingerprintOf(v2)).toBe(fingerprintOf(v1));
    expect(JSON.parse(fingerprintOf(v1))).toEqual(['NotFound', 'server.js:handle', 'lib/users.js:loadUser']);
  });

  it('another function, another type or another caller is another key', () => {
    const otherFn = error('NotFound', 'User 1 not found', [frame('/srv/app/server.js', 'handle', 1), frame('/srv/app/lib/users.js', 'saveUser', 2)]);
    const otherType = error('TypeError', 'User 123 not found', v1.exception.values[0]!.stacktrace.frames);
    expect(new Set([fingerprintOf(v1), fingerprintOf(otherFn), fingerprintOf(otherType)]).size).toBe(3);
  });

  it('page frames: origin and content-hashed bundle names do not split', () => {
    const a = error('Error', 'x', [frame('https://a.example/assets/app.3f9a2c1b.js', 'onClick', 1), frame('https://a.example/assets/app.3f9a2c1b.js', 'render', 9)]);
    const b = error('Error', 'y', [frame('https://b.example/assets/app.77aa00e4.js', 'onClick', 5), frame('https://b.example/assets/app.77aa00e4.js', 'render', 2)]);
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
  });

  it('falls back to all frames when none is in-app, and recursion counts once', () => {
    const lib = error('RangeError', 'deep', [frame('/x/node_modules/l/a.js', 'walk', 1, false), frame('/x/node_modules/l/a.js', 'walk', 1, false)]);
    expect(JSON.parse(fingerprintOf(lib))).toEqual(['RangeError', 'a.js:walk']);
  });

  it('without frames: type and the message with numbers and ids masked; messages by template', () => {
    expect(fingerprintOf(error('Error', 'order 99 failed', []))).toBe(fingerprintOf(error('Error', 'order 12345 failed', [])));
    expect(fingerprintOf(error('Error', 'order 99 failed', []))).not.toBe(fingerprintOf(error('Error', 'payment 99 failed', [])));
    expect(fingerprintOf({ logentry: { message: 'queue %s full' }, message: 'queue a full' })).toBe(fingerprintOf({ logentry: { message: 'queue %s full' }, message: 'queue b full' }));
    expect(fingerprintOf({ message: 'retry 3 of 5' })).toBe(fingerprintOf({ message: 'retry 4 of 5' }));
  });

  it('a user fingerprint wins', () => {
    expect(fingerprintOf({ ...v1, fingerprint: ['checkout', 'db'] })).toBe(JSON.stringify(['checkout', 'db']));
  });

  it('native: function names when symbolicated, else module + offset marked release-specific', () => {
    const sym = nativeFingerprint('SIGSEGV', [
      { function: 'crash_here', module: 'addon.node', offset: 0x1130, in_app: true },
      { function: 'Method', module: 'addon.node', offset: 0x1200, in_app: true },
      { module: 'node', offset: 0x99, in_app: false },
    ]);
    expect(JSON.parse(sym)).toEqual(['native', 'SIGSEGV', 'crash_here', 'Method']);
    const moved = nativeFingerprint('SIGSEGV', [{ function: 'crash_here', module: 'addon.node', offset: 0x2130, in_app: true }, { function: 'Method', module: 'addon.node', offset: 0x2200, in_app: true }]);
    expect(moved).toBe(sym);
    expect(JSON.parse(nativeFingerprint('SIGSEGV', [{ module: 'addon.node', offset: 0x1130, in_app: true }]))).toEqual(['native-unsymbolicated', 'SIGSEGV', 'addon.node+0x1130']);
  });
});

import { describe, expect, it } from 'vitest';
import { makeReactNativeStackParser } from '../src/index.js';

describe('React Native stack parser', () => {
  it('parses Hermes frames (source and bytecode bundles) and JSC frames, dropping native builtins', () => {
    const parse = makeReactNativeStackParser();
    const frames = parse(
      [
        'TypeError: boom',
        '    at formatTotal (/data/app/index.android.bundle:1:2345)',
        '    at apply (native)',
        '    at anonymous (address at index.android.bundle:1:99)',
        'openOrder@http://10.0.2.2:8081/index.bundle?platform=ios:120:7',
      ].join('\n'),
    );
    // Sentry orders frames oldest first.
    expect(frames.map((f) => [f.function, f.filename, f.lineno, f.colno])).toEqual([
      ['openOrder', 'http://10.0.2.2:8081/index.bundle?platform=ios', 120, 7],
      ['?', 'index.android.bundle', 1, 99],
      ['formatTotal', '/data/app/index.android.bundle', 1, 2345],
    ]);
  });
});

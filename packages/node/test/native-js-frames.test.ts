// The JS stack a native crash record carries (V8's code names, innermost
// first) becomes the JS caller of the crashing addon call and Sentry frames.
// The names below are copied from real records (test/native crash matrix).
import { describe, expect, it } from 'vitest';

import { attributeJsStack, parseCodeName, toSentryFrames } from '../src/native/js-frames.js';
import { WRAPPER_NAME } from '../src/native/wrap.js';

const WRAPPER = `JS:~${WRAPPER_NAME} file:///srv/app/node_modules/@crashfree/node/dist/esm/index.js:7288:39`;

describe('parseCodeName', () => {
  it('reads function, script, line and column across tiers and script kinds', () => {
    expect(parseCodeName('JS:~beta file:///work/test/crash-app.mjs:77:18')).toEqual({ function: 'beta', file: 'file:///work/test/crash-app.mjs', line: 77, column: 18 });
    expect(parseCodeName('JS:*hot /srv/app/lib/x.cjs:3:1')).toEqual({ function: 'hot', file: '/srv/app/lib/x.cjs', line: 3, column: 1 });
    expect(parseCodeName('JS:^get size node:internal/fs:12:5')).toEqual({ function: 'get size', file: 'node:internal/fs', line: 12, column: 5 });
    expect(parseCodeName('JS:~workerCaller [worker eval]:3:28')).toEqual({ function: 'workerCaller', file: '[worker eval]', line: 3, column: 28 });
    expect(parseCodeName('JS:~ node:zlib:781:3')).toEqual({ function: '', file: 'node:zlib', line: 781, column: 3 });
    expect(parseCodeName('Script:~ file:///work/test/crash-app.mjs')).toEqual({ function: '', file: 'file:///work/test/crash-app.mjs' });
    expect(parseCodeName('JS:+f /dir with space/a.js:1:2')).toEqual({ function: 'f', file: '/dir with space/a.js', line: 1, column: 2 });
  });

  it('is undefined for builtins and unnamed addresses', () => {
    expect(parseCodeName('Builtin:AsyncFunctionAwaitResolveClosure')).toBeUndefined();
    expect(parseCodeName('? 0xd8c020')).toBeUndefined();
    expect(parseCodeName('')).toBeUndefined();
  });
});

describe('attributeJsStack', () => {
  it('names the first JS frame below the wrapper, not the wrapper', () => {
    const js = attributeJsStack(
      { status: 'ok', vmState: 'external', frames: [WRAPPER, 'JS:~beta file:///a/app.mjs:77:18', 'Script:~ file:///a/app.mjs', 'Builtin:X', '? 0x1'] },
      true,
    );
    expect(js.caller).toEqual({ function: 'beta', file: 'file:///a/app.mjs', line: 77, column: 18, how: 'crash-stack' });
    expect(js.why).toBeUndefined();
    expect(js.frames.map((f) => f.function)).toEqual(['beta', '']);
  });

  it('takes the innermost frame when the wrapper was inlined into its caller, only inside a wrapped call', () => {
    // As recorded from test/native's hot-caller case: optimised code leaves VM state "js".
    const stack = { status: 'ok', vmState: 'js', frames: ['JS:*hot file:///a/app.mjs:89:17', 'Script:~ file:///a/app.mjs'] };
    expect(attributeJsStack(stack, true).caller).toEqual({ function: 'hot', file: 'file:///a/app.mjs', line: 89, column: 17, how: 'crash-stack' });
    // No wrapped call marked: no caller.
    expect(attributeJsStack(stack, false)).toMatchObject({ why: 'the crash was not inside a wrapped addon call' });
    expect(attributeJsStack(stack, false).caller).toBeUndefined();
  });

  it('says why when there is no caller, and never guesses one', () => {
    expect(attributeJsStack({ status: 'not_js_thread', frames: [] }, true)).toEqual({ why: 'not a JS thread', frames: [] });
    expect(attributeJsStack({ status: 'no_js_frames', frames: [] }, true).why).toBe('no JS on the crashing thread');
    expect(attributeJsStack(undefined, true).why).toBe('the crash handler did not finish reading the JS stack');
    // JS on the stack but no wrapped call in it: the JS frames are kept, no caller.
    const outside = attributeJsStack({ status: 'ok', vmState: 'js', frames: ['JS:~onTimer file:///a/t.mjs:2:1'] }, false);
    expect(outside).toMatchObject({ why: 'the crash was not inside a wrapped addon call' });
    expect(outside.caller).toBeUndefined();
    // The caller's code was compiled before the code map existed: unnamed, so no caller.
    expect(attributeJsStack({ status: 'ok', vmState: 'external', frames: [WRAPPER, '? 0x2a2e5f62d5be'] }, true)).toMatchObject({ why: 'the code that called the wrapped function was not named' });
    // A map the crash interrupted: nothing named, and the reason says so.
    expect(attributeJsStack({ status: 'code_map_busy', frames: ['? 0x1', '? 0x2'] }, true).why).toBe('V8 was naming new code when the crash came');
  });
});

describe('toSentryFrames', () => {
  it('orders frames oldest first and marks node internals and node_modules as not in app', () => {
    const frames = toSentryFrames([
      { function: 'beta', file: 'file:///a/app.mjs', line: 77, column: 18 },
      { function: 'lib', file: '/a/node_modules/x/i.js', line: 1, column: 1 },
      { function: 'processTicksAndRejections', file: 'node:internal/process/task_queues', line: 67, column: 35 },
      { function: '', file: 'file:///a/app.mjs' },
    ]);
    expect(frames.map((f) => [f.function, f.in_app])).toEqual([
      [undefined, true],
      ['processTicksAndRejections', false],
      ['lib', false],
      ['beta', true],
    ]);
    expect(frames[3]).toMatchObject({ filename: 'file:///a/app.mjs', lineno: 77, colno: 18 });
    expect(frames[0]).not.toHaveProperty('lineno');
  });
});

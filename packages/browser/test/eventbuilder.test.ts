import { describe, expect, it } from 'vitest';
import { makeEventBuilders } from '../src/eventbuilder.js';
import { browserStackParser } from '../src/stack-parser.js';

const { eventFromException, eventFromMessage } = makeEventBuilders(browserStackParser());

/** The builders must resolve synchronously (the core's fatal path relies on it). */
function sync<T>(p: PromiseLike<T>): T {
  let out: T | undefined;
  void p.then((v) => (out = v));
  if (out === undefined) throw new Error('did not resolve synchronously');
  return out;
}

describe('makeEventBuilders', () => {
  it('keeps the type, message and frames of an Error, handled by default', () => {
    const e = new RangeError('out of range');
    e.stack = 'RangeError: out of range\n    at f (http://h/app.js:1:2)';
    const event = sync(eventFromException(e));
    expect(event.level).toBe('error');
    expect(event.exception?.values?.[0]).toMatchObject({
      type: 'RangeError',
      value: 'out of range',
      mechanism: { handled: true, type: 'generic' },
      stacktrace: { frames: [{ filename: 'http://h/app.js', function: 'f', lineno: 1, colno: 2 }] },
    });
  });

  it('puts the mechanism from the hint on the event, so the core sees an unhandled error at capture time', () => {
    const event = sync(eventFromException(new Error('x'), { mechanism: { handled: false, type: 'auto.browser.global_handlers.onerror' } }));
    expect(event.exception?.values?.[0]?.mechanism).toMatchObject({ handled: false, type: 'auto.browser.global_handlers.onerror' });
  });

  it('turns a thrown string or plain object into a synthetic exception', () => {
    expect(sync(eventFromException('just a string')).exception?.values?.[0]).toMatchObject({ value: 'just a string', mechanism: { synthetic: true } });
    const obj = sync(eventFromException({ code: 42, reason: 'nope' }));
    expect(obj.exception?.values?.[0]?.value).toContain('code, reason');
  });

  it('builds message events', () => {
    expect(sync(eventFromMessage('hello', 'warning'))).toMatchObject({ message: 'hello', level: 'warning' });
  });
});

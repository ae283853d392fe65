import { describe, expect, it } from 'vitest';
import { makeEventBuilders } from '../src/eventbuilder.js';
import { browserStackParser } from '../src/stack-parser.js';

const { eventFromException, eventFromMessage } = makeEventBuilders(browserStackParser());

describe('makeEventBuilders', () => {
  it('keeps the type, message and frames of an Error, handled by default', async () => {
    const e = new RangeError('out of range');
    e.stack = 'RangeError: out of range\n    at f (http://h/app.js:1:2)';
    const event = await eventFromException(e);
    expect(event.level).toBe('error');
    expect(event.exception?.values?.[0]).toMatchObject({
      type: 'RangeError',
      value: 'out of range',
      mechanism: { handled: true, type: 'generic' },
      stacktrace: { frames: [{ filename: 'http://h/app.js', function: 'f', lineno: 1, colno: 2 }] },
    });
  });

  it('puts the mechanism from the hint on the event, so the core sees an unhandled error at capture time', async () => {
    const event = await eventFromException(new Error('x'), { mechanism: { handled: false, type: 'auto.browser.global_handlers.onerror' } });
    expect(event.exception?.values?.[0]?.mechanism).toMatchObject({ handled: false, type: 'auto.browser.global_handlers.onerror' });
  });

  it('turns a thrown string or plain object into a synthetic exception, with Sentry wording', async () => {
    const str = await eventFromException('just a string');
    expect(str.exception?.values?.[0]).toMatchObject({ type: 'Error', value: 'just a string', mechanism: { synthetic: true } });
    expect(str.exception?.values?.[0]).not.toHaveProperty('stacktrace.frames');
    const obj = await eventFromException({ reason: 'nope', code: 42 });
    expect(obj.exception?.values?.[0]?.value).toBe('Object captured as exception with keys: code, reason');
    expect(obj.extra).toEqual({ __serialized__: { reason: 'nope', code: 42 } });
    const long = await eventFromException({ aVeryLongPropertyName: 1, anotherVeryLongPropertyName: 2 });
    expect(long.exception?.values?.[0]?.value).toBe('Object captured as exception with keys: aVeryLongPropertyName, anotherVeryLongPr');
    expect((await eventFromException({})).exception?.values?.[0]?.value).toBe('Object captured as exception with keys: [object has no keys]');
  });

  it('unwraps an error event to the error it carries', async () => {
    // Node has no ErrorEvent; an Event with an `error` is what an `error` listener hands over.
    const errorEvent = Object.assign(new Event('error'), { error: new TypeError('inside') });
    expect((await eventFromException(errorEvent)).exception?.values?.[0]).toMatchObject({ type: 'TypeError', value: 'inside', mechanism: { handled: true } });
    expect((await eventFromException(errorEvent)).exception?.values?.[0]?.mechanism).not.toHaveProperty('synthetic');
  });

  it('builds message events', async () => {
    expect(await eventFromMessage('hello', 'warning')).toMatchObject({ message: 'hello', level: 'warning' });
  });
});

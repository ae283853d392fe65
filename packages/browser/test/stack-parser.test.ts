import { describe, expect, it } from 'vitest';
import { browserStackParser } from '../src/stack-parser.js';

const parse = browserStackParser();

describe('browserStackParser', () => {
  it('reads V8 stacks (Chrome, Edge): named, anonymous, async, constructor and eval frames, oldest first', () => {
    const stack = [
      'TypeError: boom at user@example.com',
      '    at inner (http://127.0.0.1:8080/app.js:10:15)',
      '    at http://127.0.0.1:8080/app.js:20:3',
      '    at async load (http://127.0.0.1:8080/app.js:30:5)',
      '    at new Widget (http://127.0.0.1:8080/w.js:5:9)',
      '    at eval (eval at run (http://127.0.0.1:8080/app.js:40:7), <anonymous>:1:1)',
    ].join('\n');
    expect(parse(stack)).toEqual([
      { filename: 'http://127.0.0.1:8080/app.js', function: 'eval', lineno: 40, colno: 7, in_app: true },
      { filename: 'http://127.0.0.1:8080/w.js', function: 'new Widget', lineno: 5, colno: 9, in_app: true },
      { filename: 'http://127.0.0.1:8080/app.js', function: 'load', lineno: 30, colno: 5, in_app: true },
      { filename: 'http://127.0.0.1:8080/app.js', function: '?', lineno: 20, colno: 3, in_app: true },
      { filename: 'http://127.0.0.1:8080/app.js', function: 'inner', lineno: 10, colno: 15, in_app: true },
    ]);
  });

  it('reads SpiderMonkey and JavaScriptCore stacks (Firefox, Safari)', () => {
    const stack = [
      'inner@http://127.0.0.1:8080/app.js:10:15',
      'load/<@http://127.0.0.1:8080/app.js:30:5',
      '@http://127.0.0.1:8080/app.js:20:3',
      'global code@http://127.0.0.1:8080/app.html:3:1',
    ].join('\n');
    const frames = parse(stack);
    expect(frames.map((f) => [f.function, f.lineno, f.colno])).toEqual([
      ['global code', 3, 1],
      ['?', 20, 3],
      ['load/<', 30, 5],
      ['inner', 10, 15],
    ]);
  });

  it('skips lines that are not frames, and returns nothing for an empty stack', () => {
    expect(parse('Error: only a message\n    nothing here')).toEqual([]);
    expect(parse('')).toEqual([]);
  });
});

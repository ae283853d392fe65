import { describe, expect, it } from 'vitest';
import { createNodeStackParser, parseNodeStackLine } from '../src/stack-parser.js';

describe('node stack parser', () => {
  it('parses named, anonymous, async, constructor and file:// frames', () => {
    expect(parseNodeStackLine('    at handle (/srv/app/server.js:10:15)')).toMatchObject({
      function: 'handle',
      filename: '/srv/app/server.js',
      lineno: 10,
      colno: 15,
      in_app: true,
    });
    expect(parseNodeStackLine('    at /srv/app/x.js:1:2')).toMatchObject({ function: '?', filename: '/srv/app/x.js', lineno: 1 });
    expect(parseNodeStackLine('    at async main (file:///srv/app/m.mjs:3:4)')).toMatchObject({ function: 'main', filename: '/srv/app/m.mjs' });
    expect(parseNodeStackLine('    at new Foo (/srv/app/foo.js:5:6)')).toMatchObject({ function: 'Foo' });
  });

  it('marks node internals and node_modules as not in app', () => {
    expect(parseNodeStackLine('    at Module._compile (node:internal/modules/cjs/loader:1554:14)')).toMatchObject({ in_app: false, module: 'internal/modules/cjs/loader' });
    expect(parseNodeStackLine('    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)')).toMatchObject({
      in_app: false,
      module: 'express/lib/router/layer',
    });
    expect(parseNodeStackLine('    at Array.forEach (<anonymous>)')).toMatchObject({ function: 'Array.forEach', in_app: false });
  });

  it('ignores lines that are not frames', () => {
    expect(parseNodeStackLine('Error: boom')).toBeUndefined();
  });

  it('returns the frames of a real error oldest first with this file last', () => {
    function throwsHere(): Error {
      return new Error('here');
    }
    const frames = createNodeStackParser()(throwsHere().stack ?? '');
    const last = frames[frames.length - 1]!;
    expect(last.function).toBe('throwsHere');
    expect(last.filename).toContain('stack-parser.test.ts');
  });
});

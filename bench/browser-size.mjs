#!/usr/bin/env node
// Size of a page bundle that calls init + captureException with default
// integrations: @crashfree/browser (built dist) side by side with
// @sentry/browser 11.12.0 and a bare @sentry/core client (plus the core's lite
// and full clients alone, to show where the bytes are), all bundled in this
// run with the same esbuild settings (bundle, minify, esm, browser), gzip -9.
// Also the size of the IIFE bundle for <script> tags. Run after a build:
//   pnpm --filter "@crashfree/browser..." build && node bench/browser-size.mjs
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkgDir = path.join(root, 'packages/browser');
const BUDGET = 12_000;
const DSN = 'https://public@o1.ingest.example.com/1';

const cases = [
  [
    '@crashfree/browser',
    `import { init, captureException } from './dist/esm/index.js';
     init({ dsn: '${DSN}', release: 'web@1.0.0' });
     captureException(new Error('x'));`,
  ],
  [
    '@sentry/browser 11.12.0',
    `import { init, captureException } from '@sentry/browser';
     init({ dsn: '${DSN}', release: 'web@1.0.0' });
     captureException(new Error('x'));`,
  ],
  [
    '@crashfree/core lite client alone',
    // The core as the browser uses it: createLiteClient and the lite API (no @sentry/core runtime code, no fatal path, no request mode).
    `import { createLiteClient, captureException } from '@crashfree/core/lite';
     createLiteClient({ dsn: '${DSN}', release: 'web@1.0.0' }, {});
     captureException(new Error('x'));`,
  ],
  [
    '@crashfree/core full client (Client)',
    // What the browser used before the lite client: createClientWith on @sentry/core's Client, no optional parts.
    `import { createClientWith } from '@crashfree/core';
     import { captureException } from '@sentry/core';
     createClientWith({ dsn: '${DSN}', release: 'web@1.0.0' }, {}, {});
     captureException(new Error('x'));`,
  ],
  [
    'bare @sentry/core client',
    `import { Client, createTransport, createStackParser, eventFromUnknownInput, eventFromMessage, initAndBind, captureException, resolvedSyncPromise } from '@sentry/core';
     const parser = createStackParser();
     class BareClient extends Client {
       eventFromException(e, hint) { return resolvedSyncPromise(eventFromUnknownInput(this, parser, e, hint)); }
       eventFromMessage(m, level, hint) { return resolvedSyncPromise(eventFromMessage(parser, m, level, hint)); }
     }
     initAndBind(BareClient, {
       dsn: '${DSN}', release: 'web@1.0.0', integrations: [], stackParser: parser,
       transport: (o) => createTransport(o, (r) => fetch(o.url, { method: 'POST', body: r.body }).then((res) => ({ statusCode: res.status }))),
     });
     captureException(new Error('x'));`,
  ],
];

const SETTINGS = { bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error' };

async function measure(contents) {
  const out = await build({ ...SETTINGS, stdin: { contents, resolveDir: pkgDir, sourcefile: 'entry.js', loader: 'js' } });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
}

/**
 * Insight only, not the measured figure: the first case bundled again from
 * TypeScript sources (so each module is its own input; same settings, same
 * size) and, per module, the gzip bytes the bundle loses without that
 * module's output (mapped through the source map).
 */
async function breakdown(contents) {
  const out = await build({
    ...SETTINGS,
    stdin: { contents: contents.replace('./dist/esm/index.js', '@crashfree/browser'), resolveDir: pkgDir, sourcefile: 'entry.js', loader: 'js' },
    conditions: ['source'],
    sourcemap: 'external',
    outfile: 'out.js',
  });
  const code = out.outputFiles.find((f) => f.path.endsWith('.js')).text;
  const map = JSON.parse(out.outputFiles.find((f) => f.path.endsWith('.map')).text);
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const owner = new Int32Array(code.length).fill(-1);
  let source = 0;
  let offset = 0;
  const lines = code.split('\n');
  map.mappings.split(';').forEach((line, li) => {
    const points = [];
    let col = 0;
    for (const seg of line ? line.split(',') : []) {
      const v = [];
      for (let i = 0, n = 0, shift = 0; i < seg.length; i++) {
        const d = B64.indexOf(seg[i]);
        n += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          v.push(n & 1 ? -(n >> 1) : n >> 1);
          n = shift = 0;
        }
      }
      col += v[0];
      if (v.length > 1) source += v[1];
      points.push([col, v.length > 1 ? source : -1]);
    }
    points.forEach(([c, s], i) => owner.fill(s, offset + c, offset + (i + 1 < points.length ? points[i + 1][0] : lines[li].length)));
    offset += lines[li].length + 1;
  });
  const total = gzipSync(code, { level: 9 }).length;
  return map.sources
    .map((name, s) => [name.replace(/^.*?(packages\/|node_modules\/)/, ''), total - gzipSync([...code].filter((_, i) => owner[i] !== s).join(''), { level: 9 }).length])
    .filter(([, gz]) => gz > 0)
    .sort((a, b) => b[1] - a[1]);
}

if (!existsSync(path.join(pkgDir, 'dist/esm/index.js'))) {
  console.error('build first: pnpm --filter "@crashfree/browser..." build');
  process.exit(1);
}
const rows = [];
for (const [name, contents] of cases) rows.push([name, await measure(contents)]);
const iife = readFileSync(path.join(pkgDir, 'dist/crashfree.iife.min.js'));
rows.push(['@crashfree/browser IIFE (whole API)', { min: iife.length, gz: gzipSync(iife, { level: 9 }).length }]);

const pad = (s, n) => String(s).padStart(n);
console.log(`${'bundle (init + captureException)'.padEnd(40)} ${pad('minified', 10)} ${pad('gzip -9', 10)}`);
for (const [name, r] of rows) console.log(`${name.padEnd(40)} ${pad(r.min, 10)} ${pad(r.gz, 10)}`);
const modules = await breakdown(cases[0][1]);
console.log(`\n@crashfree/browser by module (gzip bytes each module adds; TypeScript sources bundled with the same settings):`);
console.log(modules.map(([name, gz]) => `${name} ${gz}`).join(', '));
// The same breakdown summed per package (gzip is not additive: the parts sum to more than the whole).
const sum = (test) => modules.filter(([name]) => test(name)).reduce((n, [, gz]) => n + gz, 0);
console.log(
  `summed: browser/src ${sum((n) => n.startsWith('browser/src/'))}, core/src ${sum((n) => n.startsWith('core/src/'))}, ` +
    `dependencies ${sum((n) => n.startsWith('.pnpm/'))} (gzip bytes)`,
);

const ours = rows[0][1].gz;
const sentry = rows[1][1].gz;
const lite = rows[2][1].gz;
const full = rows[3][1].gz;
const bare = rows[4][1].gz;
// The budget of issue 5 is for the whole bundle (init + captureException), not an increment:
// "<= 12,000 bytes gzipped". Stated as written; the increment over the bare @sentry/core client
// (the part crashfree itself controls) is printed beside it, never in its place.
console.log(
  `\nbudget (issue 5): whole bundle <= ${BUDGET} B gzip: ${ours <= BUDGET ? 'within' : 'OVER'} (${ours} B, ` +
    `${ours - BUDGET > 0 ? `${ours - BUDGET} B over` : `${BUDGET - ours} B to spare`}).`,
);
console.log(
  `@crashfree/browser: ${ours} B gzip = ${(ours / sentry * 100).toFixed(0)}% of @sentry/browser (${sentry} B), ` +
    `${(ours / bare * 100).toFixed(0)}% of the bare @sentry/core client (${bare} B); ` +
    `the lite core client alone (scopes, envelopes, engine) ${lite} B, the browser layer on top ${ours - lite} B; ` +
    `the full Client-based core client alone would be ${full} B.`,
);

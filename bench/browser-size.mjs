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
    // The core as the browser uses it: createLiteClient (no @sentry/core Client class, no fatal path, no request mode).
    `import { createLiteClient } from '@crashfree/core/lite';
     import { captureException } from '@sentry/core';
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

async function measure(contents) {
  const out = await build({
    stdin: { contents, resolveDir: pkgDir, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
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

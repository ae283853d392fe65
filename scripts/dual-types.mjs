// Writes a CommonJS twin (.d.cts) next to every .d.ts under a types dir, so
// the `require` condition of `exports` has declarations TypeScript reads as
// CommonJS: in a `"type": "module"` package a .d.ts is ESM, and a CJS project
// under `module: node16` that is handed it fails with TS1479 ("masquerading
// as ESM"). Relative specifiers `./x.js` become `./x.cjs` (so they resolve to
// the twin `./x.d.cts`); bare specifiers stay and resolve through the
// dependency's own `require` condition.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_JS = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.js\2/g;

/** Writes the .d.cts twins under `dir`; returns how many. */
export function writeCjsTypes(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const text = readFileSync(file, 'utf8').replace(RELATIVE_JS, '$1$2$3.cjs$2');
    writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), text);
    n++;
  }
  return n;
}

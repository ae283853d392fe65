#!/usr/bin/env node
// Runs every benchmark under bench/ (or those whose file name contains the
// first argument), one after another, each printing its own figures side by
// side with its anchor. Benchmarks measure; they never fail a build.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv[2] ?? '';
const files = readdirSync(path.join(root, 'bench'))
  .filter((f) => /\.(mjs|js)$/.test(f) && f.includes(filter))
  .sort();
for (const f of files) {
  console.log(`\n### bench/${f}`);
  const r = spawnSync(process.execPath, [path.join(root, 'bench', f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) console.log(`(bench/${f} exited with ${r.status ?? r.signal})`);
}

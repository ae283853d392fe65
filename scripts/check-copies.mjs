#!/usr/bin/env node
// Files that must stay byte-for-byte copies of one definition, because the
// import direction (check-imports.mjs) lets no single package lend them to
// every user: the fingerprint contract lives in @crashfree/core (the SDK's
// budget and spike guard count by it) and is copied into
// @crashfree/release-health for the collector's grouping, which may not
// import SDK code. Edit the first path of a pair, then copy it over.
// Exits 1 naming each pair that differs.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PAIRS = [['packages/core/src/fingerprint.ts', 'packages/release-health/src/fingerprint.ts']];

const problems = [];
for (const [source, copy] of PAIRS) {
  let a;
  let b;
  try {
    a = readFileSync(path.join(root, source));
    b = readFileSync(path.join(root, copy));
  } catch (error) {
    problems.push(`${copy}: cannot compare with ${source} (${error.code ?? error})`);
    continue;
  }
  if (!a.equals(b)) problems.push(`${copy} differs from ${source}: edit ${source}, then cp ${source} ${copy}`);
}
if (problems.length) {
  console.error(`copy check: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('copy check: ok');

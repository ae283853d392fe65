#!/usr/bin/env node
// Enforces the import direction of shared/DESIGN.md ("Layout and import
// direction"): what each package's source may import, that platforms never
// import each other, and that nobody reaches into another package's src/.
// Exits 1 with one line per violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Allowed bare imports per package directory; `node` = Node built-ins allowed. */
const RULES = {
  'packages/core': { allow: ['@sentry/core'], node: false },
  'packages/node': { allow: ['@crashfree/core', '@crashfree/native', '@sentry/core'], node: true },
  'packages/browser': { allow: ['@crashfree/core', '@sentry/core', 'idb-keyval'], node: false },
  'packages/react-native': {
    allow: ['@crashfree/core', '@sentry/core', 'react-native', '@react-native-async-storage/async-storage', 'react-native-mmkv'],
    node: false,
  },
  'packages/release-health': { allow: [], node: true },
  'packages/collector': { allow: ['@crashfree/release-health'], node: true },
  native: { allow: [], node: true },
};
const PLATFORMS = ['@crashfree/node', '@crashfree/browser', '@crashfree/react-native'];

function* sourceFiles(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(c|m)?[jt]sx?$/.test(name) && !/\.d\.ts$/.test(name)) yield p;
  }
}

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
const problems = [];
for (const [dir, rule] of Object.entries(RULES)) {
  const pkgRoot = path.join(root, dir);
  const srcRoot = path.join(pkgRoot, dir === 'native' ? 'lib' : 'src');
  for (const file of sourceFiles(srcRoot)) {
    const rel = path.relative(root, file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(SPEC)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(pkgRoot + path.sep)) problems.push(`${rel}: relative import ${spec} leaves the package`);
        continue;
      }
      if (/\/src(\/|$)/.test(spec)) {
        problems.push(`${rel}: deep import ${spec} (use the package's public entry point)`);
        continue;
      }
      if (NODE_BUILTINS.has(spec)) {
        if (!rule.node) problems.push(`${rel}: Node built-in ${spec} in a platform-free package`);
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (PLATFORMS.includes(name)) {
        problems.push(`${rel}: imports platform package ${name}; platforms never import each other`);
        continue;
      }
      if (!rule.allow.includes(name)) problems.push(`${rel}: imports ${name}, which ${dir} may not import`);
    }
  }
}
if (problems.length) {
  console.error(`import-direction check: ${problems.length} violation(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('import-direction check: ok');

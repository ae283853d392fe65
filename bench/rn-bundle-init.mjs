// React Native budgets: the SDK's contribution to a Metro production bundle
// (minified bytes and gzip: a minimal RN app with vs without crashfree), and
// init time under Hermes (hermes-engine-cli 0.12; the bundle precompiled to
// bytecode as release builds ship it), each beside its anchor from the same
// run. Run after `pnpm build`:  node bench/rn-bundle-init.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundle, repoRoot } from '../packages/react-native/test/hermes/bundle.mjs';

const here = path.join(repoRoot, 'packages/react-native/test/hermes');
const require = createRequire(path.join(repoRoot, 'packages/react-native/package.json'));
const hermesDir = path.join(path.dirname(require.resolve('hermes-engine-cli/package.json')), 'linux64-bin');
const RUNS = 9;
const dir = mkdtempSync(path.join(tmpdir(), 'cf-rn-bench-'));
const cacheDir = path.join(dir, 'metro-cache');

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const withSdk = await bundle({ entry: path.join(here, 'size-with-sdk.js'), cacheDir });
const withoutSdk = await bundle({ entry: path.join(here, 'size-without-sdk.js'), cacheDir });
const sizes = [withSdk, withoutSdk].map((b) => ({ raw: Buffer.byteLength(b.code), gz: gzipSync(b.code, { level: 9 }).length }));
console.log('Metro production bundle (android, minified), minimal RN app');
console.log(`  with crashfree     ${kib(sizes[0].raw).padStart(11)}  gzip ${kib(sizes[0].gz).padStart(10)}`);
console.log(`  anchor: without    ${kib(sizes[1].raw).padStart(11)}  gzip ${kib(sizes[1].gz).padStart(10)}`);
console.log(`  crashfree adds     ${kib(sizes[0].raw - sizes[1].raw).padStart(11)}  gzip ${kib(sizes[0].gz - sizes[1].gz).padStart(10)}`);

async function hermesRuns(entry) {
  const b = await bundle({ entry: path.join(here, entry), host: true, cacheDir });
  const js = path.join(dir, `${entry}.js`);
  const hbc = path.join(dir, `${entry}.hbc`);
  writeFileSync(js, `var __CF_HOST_STATE__ = ${JSON.stringify({ now: Date.now(), offline: true, storage: {} })};\n${b.code}`);
  execFileSync(path.join(hermesDir, 'hermesc'), ['-O', '-emit-binary', '-out', hbc, js], { stdio: 'ignore' });
  const out = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const stdout = execFileSync(path.join(hermesDir, 'hermes'), [hbc], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const line = stdout.split('\n').find((l) => l.startsWith('@@cf {"op":"bench"'));
    out.push({ wall, ...JSON.parse(line.slice(5)) });
  }
  return { runs: out, hbcBytes: statSync(hbc).size };
}
const sdk = await hermesRuns('init-entry.js');
const anchor = await hermesRuns('anchor-entry.js');
const m = (r, k) => median(r.runs.map((x) => x[k] ?? 0)).toFixed(1);
console.log(`\nInit under Hermes 0.12, bytecode (median of ${RUNS} launches, ms)`);
console.log(`  crashfree: load SDK modules ${m(sdk, 'loadMs')}, init() ${m(sdk, 'initMs')}, init -> ready ${m(sdk, 'readyMs')}; launch wall ${m(sdk, 'wall')} (bytecode ${kib(sdk.hbcBytes)})`);
console.log(`  anchor (same host, no SDK): load react-native ${m(anchor, 'loadMs')}; launch wall ${m(anchor, 'wall')} (bytecode ${kib(anchor.hbcBytes)})`);

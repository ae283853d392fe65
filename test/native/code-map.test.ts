// The code map behind the JS stack, in a real node process with the real
// addon: code compiled after install is named as V8 compiles it, code from
// before is named by nameExistingCode(), each worker has its own map, and
// jsStack: false (opted out) keeps V8's code events off.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NATIVE_DIR } from './harness';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-code-map-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `body` in a fresh node after install(); returns what it printed as JSON. */
function inChild(body: string, installExtra = ''): Record<string, unknown> {
  const script = `
    const { Worker } = require('node:worker_threads');
    const addon = require(${JSON.stringify(NATIVE_DIR)}).load().addon;
    const dir = ${JSON.stringify(scratch)};
    const status = addon.install({ recordPath: dir + '/record', minidumpPath: dir + '/dump' ${installExtra} });
    const out = { status };
    (async () => { ${body}; process.stdout.write(JSON.stringify(out)); })();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('JS code map', () => {
  it('names code compiled after install, then what existed before', () => {
    const out = inChild(`
      out.afterInstall = addon.codeMapSize();
      const fns = Array.from({ length: 50 }, (_, i) => new Function('x', 'return x + ' + i));
      fns.forEach((f) => f(1));
      out.afterCompiling = addon.codeMapSize();
      addon.nameExistingCode();
      out.afterExisting = addon.codeMapSize();`);
    expect(out['status']).toMatchObject({ installed: true, jsStack: true, jsStackReason: '' });
    expect(out['afterCompiling'] as number).toBeGreaterThanOrEqual((out['afterInstall'] as number) + 50);
    // Node's own startup code, compiled before install, is now named too (thousands of entries).
    expect(out['afterExisting'] as number).toBeGreaterThan((out['afterCompiling'] as number) + 500);
  });

  it('gives each worker that loads the addon its own map', () => {
    const out = inChild(`
      const source = "const a = require(" + JSON.stringify(${JSON.stringify(NATIVE_DIR)}) + ").load().addon;" +
        "const before = a.codeMapSize(); [1, 2, 3].map((i) => new Function('return ' + i)()); " +
        "require('node:worker_threads').parentPort.postMessage({ before, after: a.codeMapSize() });";
      out.worker = await new Promise((resolve, reject) => {
        const w = new Worker(source, { eval: true });
        w.on('message', resolve);
        w.on('error', reject);
      });
      out.main = addon.codeMapSize();`);
    const worker = out['worker'] as { before: number; after: number };
    expect(worker.after).toBeGreaterThanOrEqual(worker.before + 3);
    expect(out['main']).toBeGreaterThan(0);
  });

  it('stays off, and says why, when install() is told jsStack: false', () => {
    const out = inChild(`
      new Function('return 1')();
      out.size = addon.codeMapSize();`, ', jsStack: false');
    expect(out['status']).toMatchObject({ installed: true, jsStack: false, jsStackReason: 'it was turned off at install (jsStack: false)' });
    expect(out['size']).toBe(0);
  });
});

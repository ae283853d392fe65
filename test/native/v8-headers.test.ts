// Build gating of the JS stack: CMake builds it only with V8 headers of the
// running node's major line (V8's ABI is fixed within one), else says why.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { NATIVE_DIR } from './harness';

const { describe: describeHeaders } = createRequire(import.meta.url)(path.join(NATIVE_DIR, 'scripts', 'v8-headers.js')) as {
  describe: (execPath: string, version: string, env?: Record<string, string>) => string;
};
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-v8-headers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake node prefix: bin/node and include/node with the given headers. */
function prefix(name: string, headers: Record<string, string>): string {
  const include = path.join(scratch, name, 'include', 'node');
  mkdirSync(include, { recursive: true });
  for (const [file, text] of Object.entries(headers)) writeFileSync(path.join(include, file), text);
  return path.join(scratch, name, 'bin', 'node');
}
const version = (v: string): string => {
  const [major, minor, patch] = v.split('.');
  return `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION ${minor}\n#define NODE_PATCH_VERSION ${patch}\n`;
};

describe('scripts/v8-headers.js', () => {
  it('finds headers of the running node\'s major line, and says which version they are', () => {
    const node = prefix('ok', { 'v8.h': '', 'v8-isolate.h': '', 'node_version.h': version('20.20.2') });
    expect(describeHeaders(node, '20.20.2', {})).toBe(`on;${path.join(scratch, 'ok', 'include', 'node')};20.20.2;20`);
    expect(describeHeaders(node, '20.19.0', {})).toBe(`on;${path.join(scratch, 'ok', 'include', 'node')};20.20.2;20`);
  });

  it('looks in $npm_config_nodedir first', () => {
    const bare = prefix('bare', { 'node_api.h': '' });
    const nodedir = path.dirname(path.dirname(prefix('nodedir', { 'v8.h': '', 'v8-isolate.h': '', 'node_version.h': version('20.1.0') })));
    expect(describeHeaders(bare, '20.20.2', { npm_config_nodedir: nodedir })).toBe(`on;${path.join(nodedir, 'include', 'node')};20.1.0;20`);
  });

  it('says why not when v8.h is missing (node-api-headers only) or the version differs', () => {
    const napiOnly = prefix('napi', { 'node_api.h': '', 'node_version.h': version('20.20.2') });
    expect(describeHeaders(napiOnly, '20.20.2', { XDG_CACHE_HOME: scratch })).toMatch(/^off;the V8 headers are not installed \(.*\/napi\/include\/node\/v8\.h is missing\)$/);
    const other = prefix('other', { 'v8.h': '', 'v8-isolate.h': '', 'node_version.h': version('22.1.0') });
    expect(describeHeaders(other, '20.20.2', { XDG_CACHE_HOME: scratch })).toMatch(/^off;the V8 headers in .* are for Node 22\.1\.0, not the running 20\.20\.2$/);
  });

  it('on this machine: the build CI makes has the JS stack (the crash matrix relies on it)', () => {
    expect(describeHeaders(process.execPath, process.versions.node)).toMatch(/^on;/);
  });
});

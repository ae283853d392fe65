import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `pnpm demo` end to end (after the build CI does first): it must finish,
// exit 0, show both releases and halt 1.1.0 through the real gate CLI.
const DEMO = fileURLToPath(new URL('../../scripts/demo.mjs', import.meta.url));

describe('pnpm demo', () => {
  it('runs the whole loop and halts 1.1.0', async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [DEMO], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 170_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(killer);
        resolve({ code: c, out });
      });
    });
    expect(code, out).toBe(0);
    expect(out).toMatch(/^1\.0\.0 +24 +100\.00%/m);
    expect(out).toMatch(/^1\.1\.0 +\d+ +\d+\.\d+%/m);
    expect(out).toContain('crashfree-gate: PASS — release 1.0.0 (production)');
    expect(out).toContain('crashfree-gate: HALT — release 1.1.0 (production)');
    expect(out).toContain('-> exit 1 (halt: stop the rollout)');
    expect(out).toMatch(/page: http:\/\/127\.0\.0\.1:\d+\//);
  }, 180_000);
});

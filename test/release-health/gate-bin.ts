/** The built gate CLI run as a child, as `pnpm exec crashfree-gate` runs it (CI builds before testing). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GATE_BIN = fileURLToPath(new URL('../../packages/release-health/bin/crashfree-gate.js', import.meta.url));

/** What one run printed and how it exited. */
export interface GateResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the gate with `args` (and `env` over this process's); `whileRunning` runs beside it (a restart, a late upload). Killed after 60 s. */
export function runGateBin(args: string[], env: NodeJS.ProcessEnv = {}, whileRunning?: () => Promise<void>): Promise<GateResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GATE_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
    whileRunning?.().catch(reject);
  });
}

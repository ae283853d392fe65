/**
 * `crashfree-gate`: polls a Sentry-compatible sessions API until a release
 * has enough sessions (or users), decides pass / halt / insufficient data,
 * prints a table (or --json), runs --on-pass / --on-halt, and exits
 * 0 pass, 1 halt, 2 insufficient data at timeout, 3 usage or connection error.
 */
import { spawn } from 'node:child_process';
import { parseGateArgs, UsageError, USAGE, type GateOptions } from './cli-args.js';
import { exitCodeOf, gateJson, gateText, hookEnv } from './gate-output.js';
import { runGate, type GateRun } from './gate-run.js';
import { ApiError } from './sessions-client.js';

/** Runs a hook through the shell with the verdict in its environment; resolves its exit code. */
function runHook(command: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    // A hung hook must not hold the pipeline forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function report(opts: GateOptions, run: GateRun): Promise<number> {
  const out = opts.json ? JSON.stringify(gateJson(opts, run), null, 2) : gateText(opts, run);
  process.stdout.write(`${out}\n`);
  let code: number = exitCodeOf(run);
  const hook = run.decision.verdict === 'pass' ? opts.onPass : run.decision.verdict === 'halt' ? opts.onHalt : null;
  if (hook) {
    const status = await runHook(hook, hookEnv(opts, run));
    if (status !== 0) {
      process.stderr.write(`crashfree-gate: ${run.decision.verdict === 'pass' ? '--on-pass' : '--on-halt'} command exited ${status}\n`);
      // A failed promotion must not look like a successful one.
      if (run.decision.verdict === 'pass') code = 3;
    }
  }
  return code;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let opts: GateOptions;
  try {
    opts = parseGateArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`crashfree-gate: ${error.message}\n${USAGE}\n`);
    return 3;
  }
  try {
    return await report(opts, await runGate(opts));
  } catch (error) {
    if (error instanceof ApiError) {
      process.stderr.write(`crashfree-gate: ${error.message}\n`);
      return 3;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`crashfree-gate: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);

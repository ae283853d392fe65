/**
 * One run of the gate: poll the sessions API until the candidate release has
 * the minimum sample (or the timeout passes), then decide. Sleeping and the
 * clock are injectable so the loop is testable without waiting.
 */
import type { GateOptions } from './cli-args.js';
import { fetchCauses, type Causes } from './causes.js';
import { decideGate, type GateDecision } from './gate.js';
import { ApiError, fetchReleaseSamples, type ReleaseSamples } from './sessions-client.js';

/** `500ms`, `2s`, `1.5m`: a poll interval as people write it. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${+(ms / 1000).toFixed(1)}s`;
  return `${+(ms / 60_000).toFixed(1)}m`;
}

/** The decision plus what the run saw. */
export interface GateRun {
  decision: GateDecision;
  candidate: ReleaseSamples;
  baseline: ReleaseSamples | null;
  polls: number;
  elapsedMs: number;
  /** True when the timeout ended the wait before the sample was reached. */
  timedOut: boolean;
  /** The release's top crash causes: read on HALT, and always for --json; null otherwise. */
  causes: Causes | null;
}

/** Clock, sleep and progress output of a run. */
export interface RunIo {
  now(): number;
  sleep(ms: number): Promise<void>;
  progress(line: string): void;
}

/** Default IO: real time, real sleep, progress on stderr. */
export const realIo: RunIo = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  progress: (line) => process.stderr.write(`${line}\n`),
};

/** Polls then decides; API errors propagate as ApiError (exit code 3). */
export async function runGate(opts: GateOptions, io: RunIo = realIo): Promise<GateRun> {
  const started = io.now();
  let polls = 0;
  for (;;) {
    polls++;
    let candidate: ReleaseSamples;
    try {
      candidate = await fetchReleaseSamples(opts, opts.release, undefined, io.now());
    } catch (error) {
      // The first poll fails fast (a wrong URL or token is a usage problem);
      // later, a restarting or briefly unreachable server is waited for.
      const retry = error instanceof ApiError && error.transient && polls > 1 && io.now() - started + opts.poll <= opts.timeout;
      if (!retry) throw error;
      io.progress(`crashfree-gate: ${(error as Error).message}; retrying in ${formatMs(opts.poll)}`);
      await io.sleep(opts.poll);
      continue;
    }
    const enough = candidate.overall.sample >= opts.minSample;
    const elapsed = io.now() - started;
    const timedOut = !enough && elapsed + opts.poll > opts.timeout;
    if (enough || timedOut) {
      const baseline = opts.baseline ? await fetchReleaseSamples(opts, opts.baseline, undefined, io.now()) : null;
      if (candidate.window.warning) io.progress(`crashfree-gate: warning: ${candidate.window.warning}`);
      const baselineSegments = new Map(baseline?.segments.map((s) => [s.name, s.sample]));
      const decision = decideGate(
        {
          candidate: candidate.overall,
          baseline: baseline?.overall ?? null,
          segments: opts.segmentBy
            ? candidate.segments.map((s) => ({ name: s.name, candidate: s.sample, baseline: baselineSegments.get(s.name) ?? null }))
            : undefined,
        },
        { metric: opts.metric, minSample: opts.minSample, threshold: opts.threshold, maxDrop: opts.baseline ? opts.maxDrop : undefined },
      );
      // The causes explain the verdict; reading them never changes it (fetchCauses does not throw).
      const causes = decision.verdict === 'halt' || opts.json ? await fetchCauses(opts, candidate, baseline) : null;
      return { decision, candidate, baseline, polls, elapsedMs: io.now() - started, timedOut, causes };
    }
    io.progress(
      `crashfree-gate: ${opts.release} has ${candidate.overall.sample} ${opts.metric} of ${opts.minSample} needed; next poll in ${formatMs(opts.poll)}`,
    );
    await io.sleep(opts.poll);
  }
}

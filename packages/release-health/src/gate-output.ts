/**
 * What the gate prints: a short human table, or one JSON object with the
 * verdict and every number; plus the environment handed to hook commands.
 */
import { segmentText, shareText, statusText, type IssueCause } from './causes.js';
import type { GateOptions } from './cli-args.js';
import type { RateStat } from './compare.js';
import type { GateRun } from './gate-run.js';
import { alignColumns } from './report.js';

function pct(v: number | null): string {
  return v === null ? 'no data' : `${(v * 100).toFixed(2)}%`;
}

function ci(s: RateStat): string {
  return s.interval ? `${(s.interval.low * 100).toFixed(2)}–${(s.interval.high * 100).toFixed(2)}%` : '';
}

/** The exit code of a verdict. */
export function exitCodeOf(run: GateRun): 0 | 1 | 2 {
  return run.decision.verdict === 'pass' ? 0 : run.decision.verdict === 'halt' ? 1 : 2;
}

/** The JSON report (`--json`). */
export function gateJson(opts: GateOptions, run: GateRun): Record<string, unknown> {
  const d = run.decision;
  return {
    verdict: d.verdict,
    exitCode: exitCodeOf(run),
    reason: d.reason,
    release: opts.release,
    baselineRelease: opts.baseline,
    environment: opts.environment,
    metric: opts.metric,
    policy: d.policy,
    candidate: { ...d.candidate, sessions: run.candidate.sessions, users: run.candidate.users },
    baseline: d.baseline && run.baseline ? { ...d.baseline, sessions: run.baseline.sessions, users: run.baseline.users } : null,
    deltaPoints: d.deltaPoints,
    distinguishable: d.distinguishable,
    decidingSegment: d.decidingSegment,
    segments: d.segments.map((s) => ({ name: s.name, verdict: s.verdict, reason: s.reason, candidate: s.candidate, baseline: s.baseline, deltaPoints: s.deltaPoints })),
    window: run.candidate.window,
    causes: run.causes,
    polls: run.polls,
    elapsedMs: run.elapsedMs,
    timedOut: run.timedOut,
  };
}

/** The effective window line: what the server says it counted, beside what was asked. */
function windowLine(opts: GateOptions, run: GateRun): string {
  const w = run.candidate.window;
  return `window: ${w.start} to ${w.end} (asked: last ${opts.period} to ${w.askedEnd}, interval ${w.interval / 3_600_000}h)${w.warning ? `\nwarning: ${w.warning}` : ''}`;
}

/** One issue in one line: `CRASHFREE-2 TypeError: boom at parse (app/config.js) — 67% of crashed sessions (8), new in 1.1.0, os.name Linux 100%`. */
function causeLine(c: IssueCause, release: string): string {
  const where = segmentText(c);
  return `${c.shortId} ${c.title}${c.culprit ? ` at ${c.culprit}` : ''} — ${shareText(c)}, ${statusText(c, release)}${where ? `, ${where}` : ''}`;
}

/** On HALT: the issue behind most crashed sessions, then the others; or why none could be named. */
function causeLines(opts: GateOptions, run: GateRun): string[] {
  const causes = run.causes;
  if (!causes || run.decision.verdict !== 'halt') return [];
  if (causes.error) return [`cause: unknown (the issues could not be read: ${causes.error})`];
  const [first, ...rest] = causes.issues;
  if (!first) return [`cause: no crash issue in ${opts.release} (crashed sessions without a crash event: native crashes not captured, or events dropped)`];
  return [`cause: ${causeLine(first, opts.release)}`, ...rest.map((c) => `  also: ${causeLine(c, opts.release)}`)];
}

/** The human report: verdict line, the cause on HALT, a small table and the reason. */
export function gateText(opts: GateOptions, run: GateRun): string {
  const d = run.decision;
  const metric = opts.metric;
  const rows = [['', 'release', metric, `crash-free ${metric}`, '95% CI']];
  rows.push(['candidate', opts.release, String(d.candidate.sample), pct(d.candidate.rate), ci(d.candidate)]);
  if (d.baseline && opts.baseline) rows.push(['baseline', opts.baseline, String(d.baseline.sample), pct(d.baseline.rate), ci(d.baseline)]);
  for (const s of d.segments) rows.push([`  ${s.name}`, opts.release, String(s.candidate.sample), pct(s.candidate.rate), `${ci(s.candidate)}  ${s.verdict}`]);
  const label = d.verdict === 'pass' ? 'PASS' : d.verdict === 'halt' ? 'HALT' : 'INSUFFICIENT DATA';
  const lines = [
    `crashfree-gate: ${label} — release ${opts.release}${opts.environment ? ` (${opts.environment})` : ''}`,
    ...causeLines(opts, run),
    alignColumns(rows),
    `delta vs baseline: ${d.deltaPoints === null ? 'n/a' : `${d.deltaPoints >= 0 ? '+' : ''}${d.deltaPoints.toFixed(2)} points`}` +
      `   threshold ${opts.threshold}%   max drop ${opts.maxDrop} points   min ${opts.minSample} ${metric}`,
    `reason: ${d.reason}`,
    windowLine(opts, run),
  ];
  return lines.join('\n');
}

/** Environment variables handed to --on-pass / --on-halt commands. */
export function hookEnv(opts: GateOptions, run: GateRun): Record<string, string> {
  const d = run.decision;
  const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '' : (v * 100).toFixed(4));
  return {
    CRASHFREE_GATE_VERDICT: d.verdict,
    CRASHFREE_GATE_RELEASE: opts.release,
    CRASHFREE_GATE_BASELINE: opts.baseline ?? '',
    CRASHFREE_GATE_ENVIRONMENT: opts.environment ?? '',
    CRASHFREE_GATE_METRIC: opts.metric,
    CRASHFREE_GATE_SAMPLE: String(d.candidate.sample),
    CRASHFREE_GATE_RATE: fmt(d.candidate.rate),
    CRASHFREE_GATE_BASELINE_RATE: fmt(d.baseline?.rate),
    CRASHFREE_GATE_DELTA: d.deltaPoints === null ? '' : d.deltaPoints.toFixed(4),
    CRASHFREE_GATE_THRESHOLD: String(opts.threshold),
    CRASHFREE_GATE_REASON: d.reason,
    CRASHFREE_GATE_CAUSE: run.causes?.issues[0] ? causeLine(run.causes.issues[0], opts.release) : '',
    CRASHFREE_GATE_JSON: JSON.stringify(gateJson(opts, run)),
  };
}

/**
 * V8 fatal errors (heap out of memory, fatal API errors): no JavaScript runs
 * then, so Node's diagnostic report on fatal error is pointed at the data
 * dir, named after the running session; on the next launch each report is
 * turned into one fatal event for recovery, which marks that session crashed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Event, StackParser } from '@sentry/core';
import type { ExternalCrash, Liveness, OwnerMarker } from '@crashfree/core';
import { ensurePrivateDir, pidGone } from './store.js';

const REPORT_PREFIX = 'fatal-';
const META_PREFIX = 'meta-';
const CLAIM_MARK = '.claimed-';

/** What the run that wrote a report was, saved at session start (the report itself knows nothing of releases). */
interface RunMeta {
  sid?: string;
  release?: string;
  environment?: string;
  /** The run that wrote it, so a later launch can tell a dead run's leftover from a live one's. */
  owner?: OwnerMarker;
}

/** A metadata file without an owner (written by an older version) is taken as settled after this long. */
const OWNERLESS_META_MS = 3600 * 1000;

/**
 * Points Node's fatal-error report at `dir`, named after the session (or the
 * pid before there is one); call again whenever a session starts. Returns the
 * name, to pass to `clearRunMeta` once it no longer applies.
 */
export function configureFatalReports(dir: string, run: RunMeta): string {
  ensurePrivateDir(dir);
  const name = run.sid ?? `pid${process.pid}-${Date.now()}`;
  process.report.reportOnFatalError = true;
  process.report.directory = dir;
  process.report.filename = `${REPORT_PREFIX}${name}.json`;
  process.report.compact = true;
  // Network details are slow to gather and useless for an OOM.
  (process.report as { excludeNetwork?: boolean }).excludeNetwork = true;
  // Atomic but not fsynced: it only labels a report, and init must stay cheap.
  const file = path.join(dir, `${META_PREFIX}${name}.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(run), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return name;
}

/** Forgets a run's metadata once no report can refer to it (clean end, or a newer name). */
export function clearRunMeta(dir: string, name: string | undefined): void {
  if (name) fs.rmSync(path.join(dir, `${META_PREFIX}${name}.json`), { force: true });
}

interface NodeReport {
  header?: { event?: string; trigger?: string; processId?: number; dumpEventTimeStamp?: string; nodejsVersion?: string; osName?: string; arch?: string };
  javascriptStack?: { message?: string; stack?: string[] };
  javascriptHeap?: Record<string, unknown>;
  nativeStack?: Array<{ pc?: string; symbol?: string }>;
}

/** A deterministic event id per report, so two deliveries of one report are one event. */
function eventIdFor(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 32);
}

/** Builds the fatal event for one Node diagnostic report. */
export function eventFromFatalReport(report: NodeReport, meta: RunMeta, stackParser: StackParser, name: string): Event {
  const message = report.header?.event ?? 'V8 fatal error';
  const jsStack = (report.javascriptStack?.stack ?? []).filter((l) => l.trim().startsWith('at '));
  const frames = stackParser(jsStack.map((l) => `    ${l.trim()}`).join('\n'));
  const heap = report.javascriptHeap ?? {};
  const oom = /out of memory/i.test(message);
  // Milliseconds since the epoch, as a string.
  const timestamp = Number(report.header?.dumpEventTimeStamp);
  return {
    event_id: eventIdFor(name),
    level: 'fatal',
    platform: 'node',
    ...(timestamp > 0 && { timestamp: timestamp / 1000 }),
    ...(meta.release !== undefined && { release: meta.release }),
    ...(meta.environment !== undefined && { environment: meta.environment }),
    exception: {
      values: [
        {
          type: oom ? 'OutOfMemoryError' : 'FatalError',
          value: oom ? `JavaScript heap out of memory (${message})` : message,
          mechanism: { type: 'node.report_on_fatal_error', handled: false, synthetic: true },
          ...(frames.length > 0 && { stacktrace: { frames } }),
        },
      ],
    },
    contexts: {
      javascript_heap: {
        used_memory: heap.usedMemory,
        total_memory: heap.totalMemory,
        available_memory: heap.availableMemory,
        memory_limit: heap.memoryLimit,
        external_memory: heap.externalMemory,
      },
      runtime: { name: 'node', version: report.header?.nodejsVersion },
    },
    extra: {
      trigger: report.header?.trigger,
      javascript_stack: report.javascriptStack?.stack,
      native_stack: (report.nativeStack ?? []).map((f) => `${f.pc ?? ''} ${(f.symbol ?? '').trim()}`),
    },
    tags: { fatal_error: oom ? 'heap_oom' : 'v8_fatal' },
  };
}

/**
 * Reports left by dead runs, claimed (renamed to carry this run's identity)
 * so concurrent launches take each one once. A claim by a run that died is
 * taken over. Unparseable reports are skipped with one warning and deleted.
 */
export function collectFatalReports(dir: string, liveness: Liveness, stackParser: StackParser, warn: (m: string) => void): Promise<ExternalCrash[]> {
  return (async () => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    const me = liveness.owner();
    const myTag = Buffer.from(JSON.stringify(me)).toString('base64url');
    const crashes: ExternalCrash[] = [];
    for (const fileName of names) {
      if (!fileName.startsWith(REPORT_PREFIX)) continue;
      const claimAt = fileName.indexOf(CLAIM_MARK);
      const base = claimAt >= 0 ? fileName.slice(0, claimAt) : fileName;
      if (claimAt >= 0) {
        const tag = fileName.slice(claimAt + CLAIM_MARK.length);
        if (tag !== myTag) {
          let holder: Record<string, string | number | boolean | null> | undefined;
          try {
            holder = JSON.parse(Buffer.from(tag, 'base64url').toString('utf8'));
          } catch {
            holder = undefined;
          }
          if (holder && (await liveness.isAlive(holder))) continue;
        }
      }
      const claimed = path.join(dir, `${base}${CLAIM_MARK}${myTag}`);
      try {
        if (fileName !== path.basename(claimed)) fs.renameSync(path.join(dir, fileName), claimed);
      } catch {
        continue; // another launch claimed it first
      }
      const name = base.slice(REPORT_PREFIX.length, -'.json'.length);
      let report: NodeReport;
      try {
        report = JSON.parse(fs.readFileSync(claimed, 'utf8')) as NodeReport;
      } catch (e) {
        warn(`[crashfree] skipped unreadable fatal-error report ${path.join(dir, base)}: ${String(e)}`);
        fs.rmSync(claimed, { force: true });
        continue;
      }
      const metaFile = path.join(dir, `${META_PREFIX}${name}.json`);
      let meta: RunMeta = {};
      try {
        meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as RunMeta;
      } catch {
        // A report without metadata still becomes an event, just without a session.
      }
      crashes.push({
        ...(meta.sid !== undefined && { sid: meta.sid }),
        event: eventFromFatalReport(report, meta, stackParser, name),
        onDelivered: () => {
          fs.rmSync(claimed, { force: true });
          fs.rmSync(metaFile, { force: true });
        },
      });
    }
    return crashes;
  })();
}

/**
 * A heap OOM ends in abort(), so native capture (when on) records the same
 * death as a SIGABRT. One death is one event: the report's event (it says
 * why) carrying the native crash's attachments (the minidump), delivered
 * together.
 */
export function mergeWithNativeCrashes(native: ExternalCrash[], reports: ExternalCrash[]): ExternalCrash[] {
  const out = [...native];
  for (const report of reports) {
    const index = report.sid === undefined ? -1 : out.findIndex((n) => n.sid === report.sid);
    const twin = index >= 0 ? out[index] : undefined;
    if (!twin) {
      out.push(report);
      continue;
    }
    out[index] = {
      ...(report.sid !== undefined && { sid: report.sid }),
      event: { ...report.event, contexts: { ...twin.event.contexts, ...report.event.contexts } },
      ...(twin.attachments && { attachments: twin.attachments }),
      onDelivered: async () => {
        await twin.onDelivered?.();
        await report.onDelivered?.();
      },
    };
  }
  return out;
}

/**
 * Removes what settled runs left in the reports dir: the metadata of runs
 * that ended without a fatal report (SIGKILL, an uncaught exception, a native
 * crash: their session is recovered from the store, the metadata labels
 * nothing), and temp files of writers that died. `inner` is the plain
 * liveness (without claims). Liveness is checked before the report is looked
 * for, so a run that wrote its report and died in between keeps its
 * metadata. Never throws.
 */
export async function removeSettledRunMeta(dir: string, inner: Liveness): Promise<number> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  const settled: string[] = [];
  for (const fileName of names) {
    const file = path.join(dir, fileName);
    const temp = /\.tmp-(\d+)/.exec(fileName);
    if (temp) {
      if (pidGone(Number(temp[1]))) fs.rmSync(file, { force: true });
      continue;
    }
    if (!fileName.startsWith(META_PREFIX) || !fileName.endsWith('.json')) continue;
    let meta: RunMeta | undefined;
    let ageMs = 0;
    try {
      meta = JSON.parse(fs.readFileSync(file, 'utf8')) as RunMeta;
      ageMs = Date.now() - fs.statSync(file).mtimeMs;
    } catch {
      meta = undefined; // half-written by a dying run: settled like an ownerless one
    }
    const dead = meta?.owner ? !(await inner.isAlive(meta.owner)) : ageMs > OWNERLESS_META_MS || meta === undefined;
    if (dead) settled.push(fileName.slice(META_PREFIX.length, -'.json'.length));
  }
  if (settled.length === 0) return 0;
  let now: string[];
  try {
    now = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of settled) {
    const report = `${REPORT_PREFIX}${name}.json`;
    if (now.some((n) => n === report || n.startsWith(`${report}${CLAIM_MARK}`))) continue;
    fs.rmSync(path.join(dir, `${META_PREFIX}${name}.json`), { force: true });
    removed += 1;
  }
  return removed;
}

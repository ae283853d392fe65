/**
 * Hang (event-loop block) detection, main-thread side: a heartbeat into
 * shared memory from an unref'd timer (one Atomics.add per tick, nothing
 * else while healthy) and the watchdog worker (see anr-worker-source.ts).
 * Also finds, on the next launch, the ANR state of runs that died while
 * blocked, so their event is still delivered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Event } from '@sentry/core';
import type { ExternalCrash, Liveness, OwnerMarker, SessionEnd } from '@crashfree/core';
import { ANR_WORKER_SOURCE } from './anr-worker-source.js';

/** What {@link startAnrWatchdog} needs. */
export interface AnrOptions {
  thresholdMs: number;
  maxPerHour: number;
  /** Directory of the persisted ANR state (one file per blocked session). */
  stateDir: string;
  owner: OwnerMarker;
  getSessionId: () => string | undefined;
  /** Captures the ANR event through the client once the main thread runs again. */
  capture: (event: Event) => void;
  log: (message: string) => void;
}

/** A running watchdog. */
export interface AnrWatchdog {
  /** Tells the worker the current session id (ANR state is keyed by it). */
  sessionChanged(): void;
  stop(): void;
}

/** Starts the heartbeat and the watchdog worker; neither keeps the process alive. */
export function startAnrWatchdog(options: AnrOptions): AnrWatchdog {
  const pollMs = Math.max(20, Math.min(1000, Math.floor(options.thresholdMs / 5)));
  const heartbeat = new SharedArrayBuffer(4);
  const beats = new Int32Array(heartbeat);
  const timer = setInterval(() => Atomics.add(beats, 0, 1), pollMs);
  timer.unref();

  // Loaded here, not at import: node:worker_threads costs ~7 ms of startup.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const worker = new Worker(ANR_WORKER_SOURCE, {
    eval: true,
    workerData: {
      heartbeat,
      thresholdMs: options.thresholdMs,
      pollMs,
      maxPerHour: options.maxPerHour,
      stateDir: options.stateDir,
      owner: options.owner,
      sid: options.getSessionId(),
    },
    // The watchdog must never inherit the app's flags (e.g. --max-old-space-size is fine, --inspect is not).
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  worker.on('message', (message: { type?: string; event?: Event; file?: string }) => {
    if (message.type !== 'anr' || !message.event) return;
    options.capture(message.event);
    // Captured events are queued durably by the core; the state file only mattered if we had died blocked.
    if (message.file) fs.rmSync(message.file, { force: true });
  });
  worker.on('error', (e) => options.log(`[crashfree] hang detection stopped: ${String(e)}`));
  // After the listeners: adding a 'message' listener refs the port again.
  worker.unref();

  return {
    sessionChanged() {
      worker.postMessage({ type: 'sid', sid: options.getSessionId() });
    },
    stop() {
      clearInterval(timer);
      void worker.terminate();
    },
  };
}

interface AnrState {
  v: 1;
  sid?: string;
  owner?: OwnerMarker;
  event?: Event;
}

/**
 * ANR events of runs that died while blocked, sent as events of their own,
 * and for each a `SessionEnd` so recovery ends that session `abnormal` with
 * Sentry's `abnormal_mechanism: 'anr_foreground'`.
 * Files of live runs are left alone; unreadable ones are dropped with a warning.
 */
export async function collectAnrStates(dir: string, liveness: Liveness, warn: (m: string) => void): Promise<{ events: ExternalCrash[]; ends: SessionEnd[] }> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return { events: [], ends: [] };
  }
  const out: ExternalCrash[] = [];
  const ends: SessionEnd[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let state: AnrState;
    try {
      state = JSON.parse(fs.readFileSync(file, 'utf8')) as AnrState;
    } catch (e) {
      warn(`[crashfree] skipped unreadable hang record ${file}: ${String(e)}`);
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!state.event || !state.owner || (await liveness.isAlive(state.owner))) continue;
    out.push({ event: state.event, onDelivered: () => fs.rmSync(file, { force: true }) });
    if (state.sid) ends.push({ sid: state.sid, status: 'abnormal', mechanism: 'anr_foreground' });
  }
  return { events: out, ends };
}

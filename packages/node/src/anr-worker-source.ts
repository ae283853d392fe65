/**
 * The hang watchdog's worker thread, as source text (run with `eval: true`,
 * so it needs no file of its own next to the ESM and CJS bundles). The main
 * thread bumps a counter in shared memory from an unref'd timer; the worker
 * polls it. When the counter stands still for longer than the threshold, the
 * worker pauses the main thread through the inspector (which interrupts
 * running JavaScript), reads its call frames, resumes it, persists the ANR
 * event (so a run that dies while blocked still reports it next launch) and
 * posts it to the main thread, which captures it once it runs again.
 * One event per blocked episode, at most `maxPerHour`.
 */
export const ANR_WORKER_SOURCE = String.raw`
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const { heartbeat, thresholdMs, pollMs, maxPerHour, stateDir, owner } = workerData;
const beats = new Int32Array(heartbeat);
let sid = workerData.sid;
let lastBeat = Atomics.load(beats, 0);
let lastChange = Date.now();
let inEpisode = false;
const sentAt = [];

parentPort.on('message', (m) => {
  if (m && m.type === 'sid') sid = m.sid;
});

function isInApp(file) {
  return !!file && file.startsWith('/') && !file.includes('/node_modules/');
}

function toFrames(callFrames, scripts) {
  return callFrames
    .map((f) => {
      let file = f.url || scripts.get(f.location.scriptId) || '';
      if (file.startsWith('file://')) {
        try { file = require('node:url').fileURLToPath(file); } catch {}
      }
      return {
        function: f.functionName || '?',
        filename: file || undefined,
        abs_path: file || undefined,
        lineno: f.location.lineNumber + 1,
        colno: f.location.columnNumber + 1,
        in_app: isInApp(file),
      };
    })
    .reverse();
}

function captureMainStack(done) {
  const session = new inspector.Session();
  const scripts = new Map();
  let finished = false;
  const finish = (frames) => {
    if (finished) return;
    finished = true;
    try { session.post('Debugger.resume'); } catch {}
    try { session.post('Debugger.disable'); } catch {}
    setImmediate(() => { try { session.disconnect(); } catch {} });
    done(frames);
  };
  try {
    session.connectToMainThread();
  } catch {
    done(undefined);
    return;
  }
  session.on('Debugger.scriptParsed', (m) => scripts.set(m.params.scriptId, m.params.url));
  session.on('Debugger.paused', (m) => finish(toFrames(m.params.callFrames, scripts)));
  session.post('Debugger.enable', () => session.post('Debugger.pause'));
  // The main thread may be blocked outside JavaScript (a sync syscall): do not wait forever.
  setTimeout(() => finish(undefined), Math.max(2000, thresholdMs)).unref();
}

function stateFile() {
  return path.join(stateDir, (sid || 'pid' + process.pid) + '.json');
}

function writeState(file, event) {
  const tmp = file + '.tmp-' + process.pid + '-' + Math.random().toString(36).slice(2);
  // Not recursive: the data dir exists, and Node's recursive mkdir can spin forever on a virtual filesystem.
  try { fs.mkdirSync(stateDir, { mode: 0o700 }); } catch (e) { if (e.code !== 'EEXIST') throw e; }
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, JSON.stringify({ v: 1, sid, owner, event }));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function onBlocked(blockedMs) {
  const now = Date.now();
  while (sentAt.length > 0 && now - sentAt[0] > 3600000) sentAt.shift();
  if (sentAt.length >= maxPerHour) return;
  sentAt.push(now);
  captureMainStack((frames) => {
    const event = {
      event_id: crypto.randomUUID().replace(/-/g, ''),
      level: 'error',
      platform: 'node',
      timestamp: now / 1000,
      exception: {
        values: [
          {
            type: 'ApplicationNotResponding',
            value: 'Event loop blocked for at least ' + blockedMs + ' ms',
            mechanism: { type: 'ANR', handled: true, synthetic: true },
            ...(frames && frames.length > 0 ? { stacktrace: { frames } } : {}),
          },
        ],
      },
      tags: { anr: 'event_loop_blocked' },
      contexts: { anr: { threshold_ms: thresholdMs, blocked_ms: blockedMs, stack_captured: !!frames } },
    };
    const file = stateFile();
    try {
      writeState(file, event);
    } catch {}
    parentPort.postMessage({ type: 'anr', event, file });
  });
}

setInterval(() => {
  const beat = Atomics.load(beats, 0);
  const now = Date.now();
  if (beat !== lastBeat) {
    lastBeat = beat;
    lastChange = now;
    inEpisode = false;
    return;
  }
  if (!inEpisode && now - lastChange > thresholdMs) {
    inEpisode = true;
    onBlocked(now - lastChange);
  }
}, pollMs);
`;

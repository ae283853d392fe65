// The crash matrix: every kind of native crash, in a real Node process using
// the built @crashfree/node, with the real Crashpad handler (or the
// in-process writer). For each: the process dies with the right signal and
// never hangs; the next launch delivers exactly one native event with its
// minidump and the run's session `crashed` to a real collector on loopback;
// breakpad's minidump_stackwalk reads the dump with the right crash reason
// and, with dump_syms symbols for the crasher, the right crashing function.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCollector, type Collector, type StoredItem } from '@crashfree/collector';

import { APP, buildCrasher, CRASHPAD_HANDLER, readHead, runApp, stackwalk } from './harness';

interface Case {
  kind: string;
  signal: NodeJS.Signals;
  /** Exception type of the event (signal / si_code name). */
  type: string;
  /** breakpad's crash reason, as a pattern. */
  reason: RegExp;
  /** The crasher function expected among the crashed thread's innermost frames. */
  fn: string;
  writer?: 'crashpad' | 'inprocess';
  handler?: string;
  /** The mode chosen at init when it differs from what `handler` implies. */
  mode?: 'crashpad' | 'inprocess';
  /** A crash before the SDK made its session: the event is sent alone. */
  noSession?: boolean;
  /** The crash happens after the JS call into the addon returned (async work): only the module attributes it. */
  afterCall?: boolean;
  /** The faulting instruction is in libc (abort()), not in the crasher. */
  faultsInLibc?: boolean;
  /**
   * The JS caller read off the crashing thread's stack: the function (''
   * for the app's top-level code) and whether its line is known, or, when
   * there is none, the reason the event gives instead.
   */
  caller: { function: string; file: RegExp; line?: number } | { why: string };
  env?: Record<string, string>;
  /** Flags for the crashing run's node. */
  nodeArgs?: string[];
}

const TOP_LEVEL = { function: '', file: /crash-app\.mjs$/ };
const IN_WORKER = { function: 'workerCaller', file: /^\[worker eval\]$/, line: 3 };
const NOT_JS = { why: 'not a JS thread' };
// Code compiled before the SDK's init (here: the app's module, crashing
// synchronously after init) is named only a tick later: no caller, and the event says so.
// beta() in the fixture: the crash must name it and the line it is defined on.
const BETA = { function: 'beta', file: /crash-app\.mjs$/, line: readFileSync(APP, 'utf8').split('\n').findIndex((l) => l.includes('function beta(')) + 1 };
const HOT = { function: 'hot', file: /crash-app\.mjs$/, line: readFileSync(APP, 'utf8').split('\n').findIndex((l) => l.includes('function hot(')) + 1 };
const UNNAMED = { why: 'the code that called the wrapped function was not named' };

const CASES: Case[] = [
  { kind: 'null-deref', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: TOP_LEVEL },
  { kind: 'sigbus', signal: 'SIGBUS', type: 'SIGBUS / BUS_ADRERR', reason: /^SIGBUS \/ ?BUS_ADRERR$/, fn: 'crasher_sigbus', caller: TOP_LEVEL },
  { kind: 'sigill', signal: 'SIGILL', type: 'SIGILL / ILL_ILLOPN', reason: /^SIGILL \/ ?ILL_ILLOPN$/, fn: 'crasher_sigill', caller: TOP_LEVEL },
  { kind: 'sigfpe', signal: 'SIGFPE', type: 'SIGFPE / FPE_INTDIV', reason: /^SIGFPE \/ ?FPE_INTDIV$/, fn: 'crasher_sigfpe', caller: TOP_LEVEL },
  { kind: 'abort', signal: 'SIGABRT', type: 'SIGABRT / SI_TKILL', reason: /^SIGABRT/, fn: 'crasher_abort', faultsInLibc: true, caller: TOP_LEVEL },
  { kind: 'builtin-trap', signal: 'SIGILL', type: 'SIGILL / ILL_ILLOPN', reason: /^SIGILL \/ ?ILL_ILLOPN$/, fn: 'crasher_builtin_trap', caller: TOP_LEVEL },
  { kind: 'stack-overflow', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV/, fn: 'crasher_stack_overflow', caller: TOP_LEVEL },
  { kind: 'worker', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: IN_WORKER },
  // A worker's stack ends at a PROT_NONE guard page: SEGV_ACCERR, not MAPERR.
  { kind: 'worker-stack-overflow', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_ACCERR', reason: /^SIGSEGV/, fn: 'crasher_stack_overflow', caller: IN_WORKER },
  { kind: 'threadpool', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', afterCall: true, caller: NOT_JS },
  { kind: 'two-threads', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: NOT_JS },
  { kind: 'lock-held', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: TOP_LEVEL },
  { kind: 'wasm-trap-then-null-deref', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: TOP_LEVEL },
  { kind: 'during-init', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', noSession: true, caller: UNNAMED },
  { kind: 'null-deref', handler: '/nonexistent/crashpad_handler', writer: 'inprocess', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: TOP_LEVEL },
  { kind: 'null-deref', handler: '/bin/false', mode: 'crashpad', writer: 'inprocess', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: TOP_LEVEL },
  // The same wrapped function called from alpha() first, then from beta(), which crashes:
  // once, and after 20 000 alpha() calls (the wrapper and the callers optimised by then).
  { kind: 'caller', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: BETA },
  // beta's code moved by compacting GCs before the crash (V8 logs the moves from its GC helper threads).
  { kind: 'caller', env: { CF_COMPACT: '1' }, nodeArgs: ['--expose-gc', '--stress-compaction'], signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: BETA },
  { kind: 'caller', env: { CF_ALPHA_CALLS: '20000' }, signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: BETA },
  // A hot caller: the optimiser inlines the wrapper into it, so no wrapper frame is left.
  { kind: 'hot-caller', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: HOT },
  { kind: 'fork-impossible', writer: 'inprocess', signal: 'SIGSEGV', type: 'SIGSEGV / SEGV_MAPERR', reason: /^SIGSEGV \/ ?SEGV_MAPERR$/, fn: 'crasher_null_deref', caller: TOP_LEVEL },
];

type Payload = Record<string, any>;
let crasher: string;
let symbols: string;
let collector: Collector;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-crash-matrix-'));

beforeAll(async () => {
  ({ crasher, symbols } = buildCrasher());
  collector = await startCollector({ port: 0, dataDir: path.join(scratch, 'collector') });
});
afterAll(async () => {
  await collector?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const ofRun = (items: StoredItem[], release: string) => items.filter((i) => (i.payload as Payload | undefined)?.['release'] === release || (i.payload as Payload | undefined)?.['attrs']?.['release'] === release);

describe('native crash matrix', () => {
  CASES.forEach((c, index) => {
    const label = `${c.kind}${c.env ? ` (${Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ')}${c.nodeArgs ? ` ${c.nodeArgs.join(' ')}` : ''})` : ''}${c.handler ? (c.mode === 'crashpad' ? ` (handler ${c.handler} exits non-zero)` : ' (handler binary missing)') : ''}`;
    it(`${label}: dies with ${c.signal}; next launch delivers one ${c.type} event + minidump + crashed session`, async () => {
      const dataDir = path.join(scratch, `app-${index}`);
      const env = { CF_DSN: collector.dsn, CF_DATA_DIR: dataDir, CF_CRASHER: crasher, CF_HANDLER: c.handler ?? CRASHPAD_HANDLER, ...c.env };
      const before = { events: collector.items({ type: 'event' }).length, attachments: collector.items({ type: 'attachment' }).length };

      const crash = await runApp(['crash', c.kind], env, 30_000, c.nodeArgs);
      expect(crash.signal, crash.stderr).toBe(c.signal);
      const started = c.noSession ? undefined : (JSON.parse(crash.stdout.split('\n')[0]!) as { sid: string; status: Record<string, unknown> });
      const sid = started?.sid;
      if (started) {
        // Health as users see it (getNativeCaptureStatus()): on, the mode chosen at init, alt stack, Node's handler chained.
        const mode = c.mode ?? (c.handler ? 'inprocess' : 'crashpad');
        expect(started.status).toMatchObject({ enabled: true, mode, altStack: true, chained: true, jsStack: true });
      }

      const next = await runApp(['recover'], env);
      expect(next.code, next.stderr).toBe(0);

      const events = collector.items({ type: 'event' }).slice(before.events).filter((e) => (e.payload as Payload)['platform'] === 'native');
      expect(events).toHaveLength(1);
      const event = events[0]!.payload as Payload;
      const exception = event['exception']['values'][0];
      expect(exception).toMatchObject({ type: c.type, mechanism: { type: 'minidump', handled: false } });
      expect(event).toMatchObject({ level: 'fatal', release: 'crash-matrix@1.0.0', environment: 'test' });
      // Attribution: the crashing instruction's module (path + build id), and the wrapped call when the crash is inside it.
      const addon = event['contexts']['native_addon'];
      expect(addon['path']).toMatch(c.faultsInLibc ? /\/libc\.so/ : /\/crasher\.node$/);
      expect(addon['build_id']).toMatch(/^[0-9a-f]{40}$/);
      if (!c.afterCall) expect(addon).toMatchObject({ name: 'crasher', js_function: 'crash' });
      // Only a crash on a thread without JS (here: threads the addon made) borrows a JS thread's call, and says so.
      const crashTid = event['contexts']['crashfree_native_crash']['thread_id'];
      if (c.kind === 'two-threads') expect(addon['called_on_thread']).toEqual(expect.any(Number));
      // (threadpool: the pool thread may crash before the main thread left crash(); either way it is not its own call.)
      if (c.kind === 'two-threads' || c.afterCall) expect(addon['called_on_thread']).not.toBe(crashTid);
      else expect(addon['called_on_thread']).toBeUndefined();
      // The JS code that called in, read off the crashing thread's JS stack at crash time.
      if ('why' in c.caller) {
        expect(addon['js_caller']).toBeUndefined();
        expect(addon['js_stack']).toBe(c.caller.why);
      } else {
        const { function: fn, file, line } = c.caller;
        expect(addon['js_caller'], JSON.stringify(event['contexts']['crashfree_native_crash']['js_stack'])).toMatchObject({ function: fn, file: expect.stringMatching(file), how: 'crash-stack' });
        if (line !== undefined) expect(addon['js_caller']['line']).toBe(line);
        // ... and the JS frames as the exception's stack trace, innermost (the caller) last.
        expect(exception['stacktrace']['frames'].at(-1)).toMatchObject({ filename: expect.stringMatching(file), ...(fn && { function: fn }) });
      }
      const writer = c.writer ?? 'crashpad';
      expect(event['contexts']['crashfree_native_crash']['dump']).toBe(writer);

      const attachments = collector.items({ type: 'attachment' }).slice(before.attachments).filter((a) => a.envelopeHeaders['event_id'] === event['event_id']);
      expect(attachments).toHaveLength(1);
      expect(attachments[0]!.attachment).toMatchObject({ attachmentType: 'event.minidump' });
      const dump = attachments[0]!.attachment!.path;
      expect(readHead(dump)).toBe('MDMP');

      if (sid) {
        const updates = collector.items({ type: 'session' }).map((s) => s.payload as Payload).filter((s) => s['sid'] === sid);
        expect(updates.map((u) => u['status'])).toContain('crashed');
        expect(updates.filter((u) => u['status'] === 'crashed')).toHaveLength(1);
      }

      const walk = stackwalk(dump, symbols);
      expect(walk.crashReason, walk.text.slice(0, 2000)).toMatch(c.reason);
      expect(walk.crashedFrames.slice(0, 8), walk.text.slice(0, 4000)).toContain(c.fn);
    });
  });
});

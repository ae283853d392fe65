/**
 * `crashfree doctor`: what capture this machine gets, in one screen — the
 * native binary (prebuilt, compiled or missing, with the reason and the
 * fix), the Crashpad handler and the mode, the alternate signal stack,
 * chaining, the JS stack, the data dir and its permissions, and whether the
 * DSN answers. Each line is a Check; the exit code is non-zero when
 * something asked for is off (a failed native build, a configured handler
 * that cannot run, a data dir that cannot be written, a DSN that does not
 * answer or refuses the key).
 */
import { existsSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { stateRoot } from './data-dir.js';
import { chooseCrashpadHandler, KNOWN_HANDLER_PATHS } from './native/handler-path.js';
import { setupNativeCapture, type NativeCaptureStatus } from './native/index.js';
import { nodeRequire } from './native/load.js';
import { ensurePrivateDir } from './store.js';

/** One line of the report: `fail` is something asked for that is off; `warn` a weaker capture than possible. */
export interface Check {
  name: string;
  level: 'ok' | 'warn' | 'fail' | 'info';
  text: string;
  fix?: string;
}

/** What the doctor found about @crashfree/native (the package's loader answers). */
export interface NativeProbe {
  installed: boolean;
  ok: boolean;
  /** `prebuilt` or `compiled` when ok. */
  source?: string;
  path?: string;
  reason?: string;
  fix?: string;
}

export interface DoctorOptions {
  dsn?: string;
  /** The app's data dir; default: the state root every app's data dir is under. */
  dataDir?: string;
  crashpadHandlerPath?: string;
  env?: NodeJS.ProcessEnv;
  /** For tests: the native package's answer, and where handlers are looked for. */
  probeNative?: () => NativeProbe;
  knownHandlerPaths?: readonly string[];
  /** Bound on the DSN request (default 5000 ms). */
  timeoutMs?: number;
}

/** Asks @crashfree/native's own loader (never throws). */
export function probeNative(): NativeProbe {
  let pkg: { load: () => { ok: boolean; path?: string; source?: string; reason?: string; fix?: string } };
  try {
    pkg = nodeRequire()('@crashfree/native') as typeof pkg;
  } catch {
    return { installed: false, ok: false, reason: 'the optional package @crashfree/native is not installed', fix: 'npm install @crashfree/native' };
  }
  try {
    const r = pkg.load();
    return { installed: true, ok: r.ok, source: r.source, path: r.path, reason: r.reason, fix: r.fix };
  } catch (e) {
    return { installed: true, ok: false, reason: `its loader failed (${e instanceof Error ? e.message : String(e)})`, fix: 'npm rebuild @crashfree/native' };
  }
}

function nativeChecks(o: DoctorOptions, env: NodeJS.ProcessEnv): Check[] {
  const probe = (o.probeNative ?? probeNative)();
  const checks: Check[] = [];
  if (!probe.ok) {
    // Not installed on purpose (--omit=optional) is a choice; installed but not loading is a failure.
    checks.push({ name: 'native binary', level: probe.installed ? 'fail' : 'warn', text: `missing: ${probe.reason ?? 'unknown reason'}; JS crashes are still captured`, ...(probe.fix && { fix: probe.fix }) });
    return checks;
  }
  const where = probe.path ? path.basename(path.dirname(probe.path)) === 'Release' ? probe.path : `${path.basename(path.dirname(probe.path))}/${path.basename(probe.path)}` : '';
  checks.push({ name: 'native binary', level: 'ok', text: probe.source === 'compiled' ? `compiled on this machine (${where})` : `prebuilt ${where}, nothing compiled` });

  const known = o.knownHandlerPaths ?? KNOWN_HANDLER_PATHS;
  const choice = chooseCrashpadHandler(o.crashpadHandlerPath, env, known);
  const asked = o.crashpadHandlerPath !== undefined || !!env.CRASHFREE_CRASHPAD_HANDLER;
  // Set up for real, in a scratch data dir, so alt stack, chaining and the JS stack are what init gets.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crashfree-doctor-'));
  let status: NativeCaptureStatus;
  try {
    status = setupNativeCapture({
      dataDir: scratch,
      sdk: { name: 'crashfree.doctor', version: '0' },
      ...(choice.path !== undefined ? { crashpadHandlerPath: choice.path } : asked ? { crashpadHandlerPath: o.crashpadHandlerPath ?? env.CRASHFREE_CRASHPAD_HANDLER } : {}),
      knownHandlerPaths: known,
      log: () => undefined,
      warn: () => undefined,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (!status.enabled) {
    checks.push({ name: 'signal handlers', level: 'fail', text: `not installed: ${status.reason ?? 'unknown reason'}`, fix: 'npm rebuild @crashfree/native --build-from-source' });
    return checks;
  }
  const from = o.crashpadHandlerPath !== undefined ? 'crashpadHandlerPath' : env.CRASHFREE_CRASHPAD_HANDLER ? '$CRASHFREE_CRASHPAD_HANDLER' : 'found';
  if (choice.path !== undefined) checks.push({ name: 'crash handler', level: 'ok', text: `${choice.path} (${from}): Crashpad writes the minidumps` });
  else
    checks.push({
      name: 'crash handler',
      level: asked ? 'fail' : 'warn',
      text: `${asked ? 'the configured handler cannot run' : 'no Crashpad handler found'}: the in-process minidump writer is used (crashing thread and module list only)`,
      fix: asked
        ? 'point crashpadHandlerPath / $CRASHFREE_CRASHPAD_HANDLER at an executable chrome_crashpad_handler or crashpad_handler'
        : 'install one (Debian: apt-get install chromium-common; Fedora: dnf install chromium; Ubuntu: snap install chromium) or set crashpadHandlerPath',
    });
  checks.push({ name: 'alt stack', level: status.altStack ? 'ok' : 'fail', text: status.altStack ? 'installed: stack overflows are caught' : 'not installed: a stack overflow is not caught' });
  checks.push({
    name: 'chaining',
    level: status.chained ? 'ok' : 'warn',
    text: status.chained ? "the handlers that were there before (Node's) run after the SDK's" : 'no earlier handlers to chain to',
  });
  checks.push(
    status.jsStack
      ? { name: 'JS stack', level: 'ok', text: 'on: an addon crash names its JS caller' }
      : { name: 'JS stack', level: 'warn', text: `off: ${status.jsStackReason ?? 'unknown reason'}`, fix: 'npm rebuild @crashfree/native --build-from-source (cmake, a C++ compiler and this node\'s headers)' },
  );
  return checks;
}

function dataDirCheck(o: DoctorOptions, env: NodeJS.ProcessEnv): Check {
  const dir = path.resolve(o.dataDir ?? stateRoot(env));
  const label = o.dataDir ? dir : `${dir} (every app's data dir is under it; --data-dir checks one)`;
  let created: string | undefined;
  try {
    // The outermost directory the probe is about to create, so it can go again; made one level at a time
    // (ensurePrivateDir), since Node's recursive mkdir never returns under /proc.
    let missing: string | undefined;
    for (let d = dir; !existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) missing = d;
    // An existing directory is looked at as it is: its mode is what the check reports, not ours to change.
    if (missing) ensurePrivateDir(dir);
    created = missing;
    const probe = path.join(dir, `.crashfree-doctor-${process.pid}`);
    writeFileSync(probe, 'x', { mode: 0o600 });
    unlinkSync(probe);
    const mode = statSync(dir).mode & 0o777;
    if (mode & 0o077) {
      return { name: 'data dir', level: 'warn', text: `${label}: writable, but mode ${mode.toString(8).padStart(4, '0')} lets others read crash data`, fix: `chmod 700 ${dir}` };
    }
    return { name: 'data dir', level: 'ok', text: `${label}: writable, mode 0700` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return { name: 'data dir', level: 'fail', text: `${label}: cannot be written (${code}); nothing survives a crash`, fix: 'pass a writable dataDir to init (and --data-dir here), or fix the directory\'s owner and permissions' };
  } finally {
    // What the doctor created for the probe goes again.
    if (created) rmSync(created, { recursive: true, force: true });
  }
}

async function dsnCheck(o: DoctorOptions, env: NodeJS.ProcessEnv): Promise<Check> {
  const dsn = o.dsn ?? (env.CRASHFREE_DSN || env.SENTRY_DSN || undefined);
  if (!dsn) return { name: 'DSN', level: 'info', text: 'none given (--dsn, $CRASHFREE_DSN, $SENTRY_DSN): not checked' };
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return { name: 'DSN', level: 'fail', text: `${JSON.stringify(dsn)} is not a DSN`, fix: 'use the DSN of your project, such as https://KEY@host/1' };
  }
  const project = url.pathname.split('/').filter(Boolean).pop();
  const prefix = url.pathname.replace(/\/[^/]*\/?$/, '');
  const endpoint = `${url.protocol}//${url.host}${prefix}/api/${project}/envelope/`;
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  try {
    // An envelope with no items: stored by nobody, answered by every Sentry-compatible ingest.
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${url.username}, sentry_client=crashfree-doctor` },
      body: `${JSON.stringify({ dsn, sent_at: new Date().toISOString() })}\n`,
      signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 401 || res.status === 403) return { name: 'DSN', level: 'fail', text: `${shown} answered HTTP ${res.status}: the key is refused`, fix: 'copy the DSN again from the project settings' };
    if (res.status === 404) return { name: 'DSN', level: 'fail', text: `${shown} answered HTTP 404: no such project or ingest path`, fix: 'check the DSN\'s host, path and project id' };
    return { name: 'DSN', level: 'ok', text: `${shown} answered HTTP ${res.status}` };
  } catch (e) {
    const why = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    return { name: 'DSN', level: 'fail', text: `${shown} cannot be reached (${why}); events wait in the queue until it can`, fix: 'check the network, a proxy or firewall, and the DSN\'s host' };
  }
}

/** Runs every check; never throws. */
export async function runDoctor(o: DoctorOptions = {}): Promise<{ checks: Check[]; exitCode: number }> {
  const env = o.env ?? process.env;
  const checks: Check[] = [];
  if (process.platform !== 'linux') {
    checks.push({ name: 'native binary', level: 'warn', text: `native crash capture is not supported on ${process.platform} yet; JS crashes are still captured` });
  } else {
    try {
      checks.push(...nativeChecks(o, env));
    } catch (e) {
      checks.push({ name: 'native capture', level: 'fail', text: `could not be checked (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  checks.push(dataDirCheck(o, env));
  checks.push(await dsnCheck(o, env));
  return { checks, exitCode: checks.some((c) => c.level === 'fail') ? 1 : 0 };
}

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: '--  ' } as const;

/** The one-screen report. */
export function formatDoctor(checks: Check[], header: string): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = [header];
  for (const c of checks) {
    lines.push(`  ${MARK[c.level]}  ${c.name.padEnd(width)}  ${c.text}`);
    if (c.fix && c.level !== 'ok') lines.push(`  ${' '.repeat(6 + width)}  fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.level === 'fail').length;
  const warned = checks.filter((c) => c.level === 'warn').length;
  lines.push(failed ? `${failed} thing(s) asked for are off (FAIL above).` : warned ? `capture is on, weaker where marked warn.` : 'capture is fully on.');
  return lines.join('\n');
}

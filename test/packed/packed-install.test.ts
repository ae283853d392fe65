// The tarball is the product: every package packed as it is published
// (scripts/pack.mjs: prebuilt native binaries, then `pnpm pack`), installed
// with npm into an app under os.tmpdir() — outside the workspace, so no
// workspace links and no dev dependencies — by an install whose PATH has no
// cmake and no compiler. Then, as a user would: a CommonJS and an ES module
// app send their sessions to the installed collector (its bin), TypeScript
// checks a `module: node16` CommonJS project and a `moduleResolution:
// bundler` one importing every package, require('@crashfree/browser') works
// and a page bundles with esbuild, the gate runs from its bin, and a native
// crash in a wrapped addon (the prebuilt binary loaded) arrives on the next
// launch with its minidump, its JS caller and the session crashed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildCrasher, readHead } from '../native/harness';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const FIXTURES = path.join(here, 'fixtures');
const TSC = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const ESBUILD = require.resolve('esbuild');

type Payload = Record<string, any>;
interface Packed {
  name: string;
  file: string;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-packed-'));
const app = path.join(scratch, 'app');
/** A PATH with node and a shell only: no cmake, no c++/g++/gcc, no make. */
const bareBin = path.join(scratch, 'bin');
let packed: Packed[] = [];
let install = { stdout: '', stderr: '', status: -1 as number | null };
let collector: ChildProcess | undefined;
let api = { url: '', dsn: '', token: '' };

function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, TMPDIR: os.tmpdir(), PATH: bareBin, ...extra };
  for (const k of ['npm_config_cache', 'npm_config_registry', 'LANG']) if (process.env[k]) env[k] = process.env[k];
  return env;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = app, timeout = 120_000) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function node(args: string[], extra: Record<string, string> = {}, timeout = 60_000) {
  return run(process.execPath, args, bareEnv(extra), app, timeout);
}

async function items(type: string): Promise<Array<{ payload?: Payload; envelopeHeaders: Payload; attachment?: { path: string; attachmentType: string } }>> {
  const ask = () => fetch(`${api.url}/api/0/crashfree/items?project=1&type=${type}`, { headers: { authorization: `Bearer ${api.token}` } });
  // A kept-alive connection the collector closed meanwhile fails once; a new one does not.
  const res = await ask().catch(ask);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: [] }).items;
}

const ofRelease = (list: Awaited<ReturnType<typeof items>>, release: string) => list.filter((i) => i.payload?.['attrs']?.['release'] === release);

beforeAll(async () => {
  // The bare PATH: node (the one running this test) and sh, nothing that compiles.
  mkdirSync(bareBin);
  symlinkSync(process.execPath, path.join(bareBin, 'node'));
  symlinkSync('/bin/sh', path.join(bareBin, 'sh'));
  const npmCli = path.join(path.dirname(path.dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  writeFileSync(path.join(bareBin, 'npm'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(npmCli)} "$@"\n`, { mode: 0o755 });
  for (const tool of ['cmake', 'c++', 'g++', 'gcc', 'cc', 'make']) expect(existsSync(path.join(bareBin, tool))).toBe(false);

  // The user's own addon, compiled (with the compiler) before the app exists: it is theirs, not ours.
  const { crasher } = buildCrasher();

  const target = `linux-${process.arch}`;
  const pack = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'pack.mjs'), '--out', path.join(scratch, 'tarballs'), '--targets', target, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(pack.status, pack.stderr).toBe(0);
  packed = JSON.parse(pack.stdout) as Packed[];

  mkdirSync(app);
  const dependencies = Object.fromEntries(packed.map((p) => [p.name, `file:${p.file}`]));
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'packed-app', version: '1.0.0', private: true, dependencies }, null, 2));
  for (const f of readdirSync(FIXTURES)) copyFileSync(path.join(FIXTURES, f), path.join(app, f));
  copyFileSync(crasher, path.join(app, 'crasher.node'));
  // Third-party dependencies (@sentry/core, idb-keyval, node-addon-api) come from npm's cache or
  // the registry; peers (react-native) are the app's business and not installed.
  install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=peer', '--foreground-scripts'], bareEnv(), app, 240_000);
  expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);

  collector = spawn(path.join(app, 'node_modules', '.bin', 'crashfree-collector'), ['--port', '0', '--data-dir', path.join(scratch, 'collector')], {
    cwd: app,
    env: bareEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    collector!.on('exit', (code) => reject(new Error(`the installed crashfree-collector exited ${code}`)));
    collector!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /^listening on (\S+)$/m.exec(out)?.[1];
      const dsn = /^dsn (\S+)$/m.exec(out)?.[1];
      const token = /^token (\S+)$/m.exec(out)?.[1];
      if (url && dsn && token) {
        api = { url, dsn, token };
        resolve();
      }
    });
  });
}, 600_000);

afterAll(() => {
  collector?.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
});

describe('packed install (tarballs, npm, outside the workspace, no compiler on PATH)', () => {
  it('packs with versions for workspace:*, installs from the tarballs without compiling, and says so', () => {
    for (const p of packed) {
      const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules', p.name, 'package.json'), 'utf8')) as Payload;
      expect(JSON.stringify(manifest), p.name).not.toContain('workspace:');
      expect(JSON.stringify(manifest.exports ?? {}), p.name).not.toContain('"source"');
      expect(existsSync(path.join(app, 'node_modules', p.name, 'README.md')), `${p.name} README.md`).toBe(true);
    }
    // Real directories unpacked from the tarballs, not links into the repository.
    for (const p of packed) expect(lstatSync(path.join(app, 'node_modules', p.name)).isDirectory(), p.name).toBe(true);
    expect(`${install.stdout}${install.stderr}`).toMatch(/native crash capture: prebuilt binary for linux-/);
    expect(existsSync(path.join(app, 'node_modules', '@crashfree', 'native', 'build'))).toBe(false);
  });

  it('a plain npm publish from a package directory is refused, naming the one way to publish', () => {
    const r = spawnSync('npm', ['publish', '--dry-run'], { cwd: path.join(ROOT, 'packages', 'core'), encoding: 'utf8', timeout: 120_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('@crashfree/core: do not publish from a package directory');
    expect(r.stderr).toContain('node scripts/publish.mjs');
  });

  it('a CommonJS app and an ES module app send their sessions to the installed collector', async () => {
    for (const [file, release] of [
      ['cjs-app.cjs', 'packed-cjs@1.0.0'],
      ['esm-app.mjs', 'packed-esm@1.0.0'],
    ] as const) {
      const r = node([file], { CF_DSN: api.dsn, CF_DATA_DIR: path.join(scratch, `data-${release}`) });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('closed true');
      const sessions = ofRelease(await items('session'), release);
      expect(sessions.map((s) => s.payload!['status']), release).toContain('exited');
      const events = (await items('event')).filter((e) => e.payload?.['release'] === release);
      expect(events, release).toHaveLength(1);
    }
  });

  it('TypeScript: a module node16 CommonJS project and a moduleResolution bundler project type-check against every package', async () => {
    const projects = {
      // skipLibCheck as most projects have it (and in a fraction of the time); the fixtures assert that every import has a real type.
      'tsconfig.node16.json': { compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true }, files: ['types-node16.cts'] },
      'tsconfig.bundler.json': {
        compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true },
        files: ['types-bundler.ts'],
      },
    };
    // @crashfree/react-native's types name react-native's TurboModule; react-native is a peer the
    // app brings (too big to install here): this stands in for its declarations.
    mkdirSync(path.join(app, 'node_modules', 'react-native'), { recursive: true });
    writeFileSync(path.join(app, 'node_modules', 'react-native', 'package.json'), JSON.stringify({ name: 'react-native', version: '0.84.1', types: 'index.d.ts' }));
    writeFileSync(path.join(app, 'node_modules', 'react-native', 'index.d.ts'), 'export interface TurboModule {}\n');
    // Both at once: one core each.
    const checks = Object.entries(projects).map(([name, config]) => {
      // The packages' declarations mention Node's types: a user has @types/node; the repository's copy stands in.
      (config.compilerOptions as Payload)['typeRoots'] = [path.join(ROOT, 'node_modules', '@types')];
      (config.compilerOptions as Payload)['types'] = ['node'];
      writeFileSync(path.join(app, name), JSON.stringify(config));
      return new Promise<{ name: string; code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [TSC, '-p', name], { cwd: app, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => resolve({ name, code, out }));
      });
    });
    for (const r of await Promise.all(checks)) {
      expect(r.out, r.name).not.toMatch(/TS1479/);
      expect(r.code, `${r.name}:\n${r.out}`).toBe(0);
    }
  });

  it("require('@crashfree/browser') works and a page bundles with esbuild", () => {
    const r = node(['-e', "const b = require('@crashfree/browser'); process.stdout.write(typeof b.init)"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('function');
    const b = node(['-e', `require(${JSON.stringify(ESBUILD)}).buildSync({ entryPoints: ['page.js'], bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: 'page.out.js' })`]);
    expect(b.status, b.stderr).toBe(0);
    expect(readFileSync(path.join(app, 'page.out.js'), 'utf8').length).toBeGreaterThan(1000);
    // The IIFE for a <script> tag is where its export says.
    expect(existsSync(require.resolve('@crashfree/browser/dist/crashfree.iife.min.js', { paths: [app] }))).toBe(true);
  });

  it('the gate runs from its installed bin against the installed collector', () => {
    const r = run(
      path.join(app, 'node_modules', '.bin', 'crashfree-gate'),
      ['--url', api.url, '--org', 'packed', '--token', api.token, '--release', 'packed-cjs@1.0.0', '--min-sessions', '1', '--threshold', '50', '--timeout', '1s', '--poll', '1s', '--json'],
      bareEnv(),
    );
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'pass' });
  });

  it('the installed sources configure with CMake: @crashfree/native (the build-from-source fallback) and React Native Android', () => {
    // Configure only (the compile is what the crash matrix covers): it runs scripts/v8-headers.js and
    // resolves every source and include, which is where a file missing from `files` shows.
    const nativeDir = path.join(app, 'node_modules', '@crashfree', 'native');
    const napi = path.join(app, 'node_modules', 'node-api-headers', 'include');
    const nat = spawnSync('cmake', ['-S', nativeDir, '-B', path.join(scratch, 'cmake-native'), `-DCMAKE_JS_INC=${napi}`], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(nat.status, `${nat.stdout}${nat.stderr}`).toBe(0);
    const android = path.join(app, 'node_modules', '@crashfree', 'react-native', 'android');
    const rn = spawnSync('cmake', ['-S', android, '-B', path.join(scratch, 'cmake-android')], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(rn.status, `${rn.stdout}${rn.stderr}`).toBe(0);
  });

  it('npx crashfree doctor, from the installed bin: the prebuilt binary, the handler, the data dir and the DSN on one screen', () => {
    const r = run(path.join(app, 'node_modules', '.bin', 'crashfree'), ['doctor', '--dsn', api.dsn, '--data-dir', path.join(scratch, 'data-doctor')], bareEnv());
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/ok {4}native binary +prebuilt linux-(x64|arm64)\/node\.(abi\d+|napi)\.glibc\.node, nothing compiled/);
    expect(r.stdout).toMatch(/ok {4}DSN +.* answered HTTP 200/);
  });

  it('a native crash in a wrapped addon, with the prebuilt binary: next launch delivers the event, its minidump, its JS caller, the session crashed', async () => {
    const env = { CF_DSN: api.dsn, CF_DATA_DIR: path.join(scratch, 'data-native') };
    const crash = node(['crash-app.mjs', 'crash'], env);
    expect(crash.signal, crash.stderr).toBe('SIGSEGV');
    const started = JSON.parse(crash.stdout.split('\n')[0]!) as { sid: string; status: Payload; source: string; path: string };
    expect(started.source).toBe('prebuilt');
    expect(started.path).toMatch(/prebuilds\/linux-(x64|arm64)\/node\.(abi\d+|napi)\.glibc\.node$/);
    expect(started.status).toMatchObject({ enabled: true, altStack: true, chained: true, jsStack: true });

    const next = node(['crash-app.mjs', 'recover'], env);
    expect(next.status, next.stderr).toBe(0);

    const events = (await items('event')).filter((e) => e.payload?.['release'] === 'packed-native@1.0.0' && e.payload['platform'] === 'native');
    expect(events).toHaveLength(1);
    const event = events[0]!.payload!;
    expect(event['exception']['values'][0]).toMatchObject({ type: 'SIGSEGV / SEGV_MAPERR', mechanism: { type: 'minidump', handled: false } });
    expect(event['contexts']['native_addon']).toMatchObject({ name: 'crasher', js_function: 'crash', js_caller: { function: 'userCaller', file: expect.stringMatching(/crash-app\.mjs$/) } });
    const dumps = (await items('attachment')).filter((a) => a.envelopeHeaders['event_id'] === event['event_id']);
    expect(dumps.map((a) => a.attachment!.attachmentType)).toEqual(['event.minidump']);
    expect(readHead(dumps[0]!.attachment!.path)).toBe('MDMP');
    const updates = (await items('session')).map((s) => s.payload!).filter((s) => s['sid'] === started.sid);
    expect(updates.filter((u) => u['status'] === 'crashed')).toHaveLength(1);
  });
});

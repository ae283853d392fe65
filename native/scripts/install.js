#!/usr/bin/env node
'use strict';
// The package's install step. With a prebuilt binary that loads here it
// compiles nothing; otherwise (no prebuilt for this platform, a source
// checkout, or --build-from-source) it builds the addon with cmake against
// node-api-headers (offline). It never fails the install: @crashfree/node
// then runs without native capture. Either way it prints one line saying
// what the user has, and on a failure what is missing, the command that
// fixes it, and that JS crashes are still captured; the reason is kept in
// build/addon/BUILD_FAILED (reason, then "fix: ...") for load() and
// `crashfree-doctor` to repeat.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'build', 'addon');
const marker = path.join(out, 'BUILD_FAILED');
const log = path.join(root, 'build', 'install.log');

/**
 * One line to the user. npm (7+) hides a dependency's script output unless
 * the script fails, so the line also goes to the terminal itself when there
 * is one; build/install.log, load() and the doctor keep it for everyone else.
 */
function say(line) {
  process.stderr.write(`${line}\n`);
  if (process.stderr.isTTY) return;
  try {
    const fd = fs.openSync('/dev/tty', 'w');
    fs.writeSync(fd, `${line}\n`);
    fs.closeSync(fd);
  } catch {
    // no terminal (CI, a container): the log and the doctor have it
  }
}

function onPath(name) {
  return (process.env.PATH || '').split(path.delimiter).some((d) => {
    try {
      fs.accessSync(path.join(d, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The package manager running this install (npm_config_user_agent: "pnpm/10.x npm/? node/v20 ..."). */
const agent = (/^(npm|pnpm|yarn|bun)\//.exec(process.env.npm_config_user_agent || '') || [])[1] || 'npm';

/** The command that runs this script again, in the user's package manager. */
const REBUILD = agent === 'yarn' ? 'yarn rebuild @crashfree/native' : `${agent} rebuild @crashfree/native`;

/** What to install for `what`, on the common distributions. */
function installHint(what) {
  return `install ${what} (Debian/Ubuntu: apt-get install cmake g++; Alpine: apk add cmake g++ make; Fedora: dnf install cmake gcc-c++), then ${REBUILD}`;
}

function fail(reason, fix) {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(marker, `${reason}\nfix: ${fix}\n`);
  say(`[crashfree] native crash capture is off: ${reason}. Fix: ${fix}. JS crashes are still captured.`);
}

/** Builds build/addon/Release/crashfree_native.node from source; returns true on success. */
function compile() {
  // A fresh build directory every time: a cache left by a failed configure
  // (another compiler, a missing tool) would fail every later rebuild.
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  if (!onPath('cmake')) return fail('cmake is not installed, and no prebuilt binary fits this platform', installHint('cmake and a C++ compiler')), false;
  const cxx = process.env.CXX || ['c++', 'g++', 'clang++'].find(onPath);
  if (!cxx || (process.env.CXX && !onPath(process.env.CXX) && !fs.existsSync(process.env.CXX))) {
    return fail('no C++ compiler (c++, g++ or clang++) is installed, and no prebuilt binary fits this platform', installHint('a C++ compiler')), false;
  }
  let napiInclude;
  try {
    napiInclude = require('node-api-headers').include_dir;
  } catch {
    return fail('the package node-api-headers is missing', `${agent} install (it is a dependency of @crashfree/native)`), false;
  }
  const steps = [
    ['-S', root, '-B', out, '-DCMAKE_BUILD_TYPE=Release', `-DCMAKE_JS_INC=${napiInclude}`, `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${path.join(out, 'Release')}`],
    ['--build', out, '--config', 'Release', '--parallel', '2'],
  ];
  let text = '';
  for (const args of steps) {
    const r = spawnSync('cmake', args, { cwd: root, encoding: 'utf8', timeout: 600_000, env: { ...process.env, ...(process.env.CXX ? {} : { CXX: cxx }) } });
    text += `$ cmake ${args.join(' ')}\n${r.stdout || ''}${r.stderr || ''}\n`;
    fs.writeFileSync(log, text);
    if (r.status !== 0) {
      const first = `${r.stdout || ''}${r.stderr || ''}`.split('\n').find((l) => /error|Error|CMake Error/.test(l)) || r.error?.message || 'see the log';
      fail(`the build from source failed (${first.trim().slice(0, 200)}; full log: ${log})`, `fix the error in the log, then ${REBUILD}`);
      return false;
    }
  }
  const js = /no JS stack at crash time: (.*)/.exec(text)?.[1];
  say(`[crashfree] native crash capture: compiled from source${js ? `; no JS caller for addon crashes: ${js}` : ', with the JS stack'}.`);
  return true;
}

/** The prebuilt binary that loads in this node, or undefined with why. */
function usablePrebuilt() {
  const loader = require('../lib/index.js');
  for (const c of loader.candidates()) {
    if (c.source !== 'prebuilt' || !c.exists) continue;
    try {
      require(c.path);
      return c;
    } catch {
      // wrong libc or a broken file: the next one, else compile
    }
  }
  return undefined;
}

function main() {
  fs.rmSync(marker, { force: true });
  if (process.env.CRASHFREE_SKIP_NATIVE_BUILD === '1') {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(marker, `the native build was skipped (CRASHFREE_SKIP_NATIVE_BUILD=1)\nfix: unset CRASHFREE_SKIP_NATIVE_BUILD, then ${REBUILD}\n`);
    return;
  }
  // `npm rebuild --build-from-source` sets npm_config_build_from_source. A
  // source checkout (scripts/prebuild.js is not shipped) always compiles, so
  // a change to the C code is never hidden behind an old prebuilt binary.
  const fromSource =
    process.env.CRASHFREE_NATIVE_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true' || fs.existsSync(path.join(__dirname, 'prebuild.js'));
  if (!fromSource) {
    const p = usablePrebuilt();
    if (p) {
      // A binary compiled before would shadow the prebuilt one; this install chose the prebuilt.
      fs.rmSync(out, { recursive: true, force: true });
      const js =
        p.variant === 'napi'
          ? `; no JS caller for addon crashes on Node ${process.versions.node} (the prebuilt JS stack is for other Node lines): ${agent === 'npm' ? 'npm rebuild @crashfree/native --build-from-source' : `CRASHFREE_NATIVE_BUILD_FROM_SOURCE=1 ${REBUILD}`} adds it`
          : '';
      say(`[crashfree] native crash capture: prebuilt binary for ${process.platform}-${process.arch} (${path.basename(p.path)}), nothing compiled${js}.`);
      return;
    }
  }
  compile();
}

try {
  main();
} catch (e) {
  // Never fail the install over native capture.
  try {
    fail(`the install script failed (${e instanceof Error ? e.message : String(e)})`, REBUILD);
  } catch {
    // nothing left to do
  }
}

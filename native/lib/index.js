'use strict';
// Finds and loads the Node-API addon. Never throws: when no binary fits or
// none loads, load() says why in one sentence and what fixes it.
//
// Where binaries live (the node-gyp-build convention, so tools that know it
// — prebuildify, electron-rebuild, bundler plugins — recognise the layout;
// the loader itself is this file):
//   build/addon/Release/crashfree_native.node       compiled on this machine (npm rebuild --build-from-source)
//   prebuilds/<platform>-<arch>/node.abi<N>.<libc>.node   prebuilt with V8 headers of one Node major (ABI N): JS stack too
//   prebuilds/<platform>-<arch>/node.napi.<libc>.node     prebuilt, Node-API only: every Node, no JS stack
// A binary compiled here wins (it was asked for and has this node's
// headers); then the ABI-specific prebuilt for the running node, then the
// Node-API one.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const COMPILED = path.join(ROOT, 'build', 'addon', 'Release', 'crashfree_native.node');
const MARKER = path.join(ROOT, 'build', 'addon', 'BUILD_FAILED');
const PREBUILDS = path.join(ROOT, 'prebuilds');

/** `glibc` or `musl`: a musl system has its loader at /lib/ld-musl-<arch>.so.1 (no process.report: it costs ms at startup). */
function libc() {
  if (process.platform !== 'linux') return '';
  try {
    return fs.readdirSync('/lib').some((f) => f.startsWith('ld-musl-')) ? 'musl' : 'glibc';
  } catch {
    return 'glibc';
  }
}

/** The prebuilt binaries that fit this process, best first, with what each is. */
function prebuiltCandidates() {
  const dir = path.join(PREBUILDS, `${process.platform}-${process.arch}`);
  const c = libc();
  return [
    { path: path.join(dir, `node.abi${process.versions.modules}.${c}.node`), source: 'prebuilt', variant: `abi${process.versions.modules}` },
    { path: path.join(dir, `node.napi.${c}.node`), source: 'prebuilt', variant: 'napi' },
  ];
}

/** Every binary load() would try, in order, and whether it exists. For `crashfree-doctor`. */
function candidates() {
  return [{ path: COMPILED, source: 'compiled', variant: 'source' }, ...prebuiltCandidates()].map((x) => ({ ...x, exists: fs.existsSync(x.path) }));
}

/** The prebuilt targets this package ships (directory names under prebuilds/). */
function shippedTargets() {
  try {
    return fs.readdirSync(PREBUILDS).sort();
  } catch {
    return [];
  }
}

/** What the install script left: `{ reason, fix }` of a failed build, or undefined. */
function buildFailure() {
  try {
    const [reason, fix] = fs.readFileSync(MARKER, 'utf8').trim().split('\n');
    return { reason: reason.trim(), fix: (fix || '').replace(/^fix:\s*/, '').trim() || undefined };
  } catch {
    return undefined;
  }
}

/** Why nothing loaded, in one sentence with its fix, when no candidate file exists. */
function missingReason() {
  const failed = buildFailure();
  const target = `${process.platform}-${process.arch}${libc() ? ` (${libc()})` : ''}`;
  const shipped = shippedTargets();
  const none = shipped.length ? `no prebuilt binary for ${target} (this package has ${shipped.join(', ')})` : `no prebuilt binary in this copy of the package`;
  if (failed) return { reason: `${none}, and the build from source failed: ${failed.reason}`, fix: failed.fix };
  // pnpm 10 runs no dependency build scripts unless approved: the script never ran.
  if (ROOT.includes(`${path.sep}.pnpm${path.sep}`)) {
    return { reason: `${none}, and pnpm did not run its build script`, fix: 'pnpm approve-builds (select @crashfree/native), then pnpm rebuild @crashfree/native' };
  }
  return { reason: `${none}, and it was not built from source`, fix: 'npm rebuild @crashfree/native --build-from-source (needs cmake and a C++ compiler)' };
}

/**
 * Returns `{ ok: true, addon, path, source, variant }` or `{ ok: false, reason, fix }`.
 * `source` is `compiled` or `prebuilt`; `variant` is `source`, `abi<N>` or `napi`.
 */
function load() {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `native crash capture is not supported on ${process.platform} yet (JS crashes are still captured)` };
  }
  let firstError;
  for (const c of candidates()) {
    if (!c.exists) continue;
    try {
      return { ok: true, addon: require(c.path), path: c.path, source: c.source, variant: c.variant };
    } catch (err) {
      // A binary for another libc or a broken build: try the next one, keep the first error.
      firstError ??= `${path.relative(ROOT, c.path)}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
  }
  if (firstError) return { ok: false, reason: `the native addon could not be loaded (${firstError})`, fix: 'npm rebuild @crashfree/native --build-from-source' };
  return { ok: false, ...missingReason() };
}

module.exports = { load, candidates, shippedTargets, libc, addonPath: COMPILED, prebuildsDir: PREBUILDS };

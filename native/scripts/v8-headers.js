#!/usr/bin/env node
'use strict';
// Tells CMakeLists.txt where V8 headers for the running node are: prints
// "on;<include dir>;<node version of the headers>;<node major>" when a
// directory has v8.h of the same Node major, else "off;<why>". The JS stack
// at crash time calls V8's C++ API (not Node-API); Node keeps V8's ABI fixed
// within a major line (that is what NODE_MODULE_VERSION promises, and what
// every nan addon relies on), so headers of any 20.x serve every 20.y.
// Looked for in: $npm_config_nodedir, the node's own prefix
// (<prefix>/include/node, as Node's tarballs and distribution packages
// install them), and node-gyp's header cache.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The Node version the headers in `dir` are for, or '' when unreadable. */
function headersVersion(dir) {
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, 'node_version.h'), 'utf8');
  } catch {
    return '';
  }
  const part = (name) => new RegExp(`#define NODE_${name}_VERSION\\s+(\\d+)`).exec(text)?.[1];
  return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
}

/** Why the headers in `dir` cannot serve node `version`, or '' when they can. */
function whyNot(dir, version) {
  if (!fs.existsSync(path.join(dir, 'v8.h')) || !fs.existsSync(path.join(dir, 'v8-isolate.h')))
    return `the V8 headers are not installed (${dir}/v8.h is missing)`;
  const found = headersVersion(dir);
  if (!found) return `${dir}/node_version.h is unreadable`;
  return found.split('.')[0] === version.split('.')[0] ? '' : `the V8 headers in ${dir} are for Node ${found}, not the running ${version}`;
}

/** Directories that may hold this node's headers, best first. */
function places(execPath, version, env = process.env) {
  const out = [];
  if (env.npm_config_nodedir) out.push(path.join(env.npm_config_nodedir, 'include', 'node'));
  out.push(path.join(path.dirname(path.dirname(execPath)), 'include', 'node'));
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  out.push(path.join(cache, 'node-gyp', version, 'include', 'node'));
  return out;
}

/** The line CMake reads, for the headers of the node at `execPath`. */
function describe(execPath, version, env = process.env) {
  const tried = places(execPath, version, env);
  let first = '';
  for (const dir of tried) {
    const reason = whyNot(dir, version);
    if (!reason) return `on;${dir};${headersVersion(dir)};${version.split('.')[0]}`;
    first ||= reason;
  }
  return `off;${first.replace(/[;"\\]/g, ' ')}`;
}

module.exports = { describe, whyNot, headersVersion };
if (require.main === module) process.stdout.write(describe(process.execPath, process.versions.node));

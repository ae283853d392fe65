#!/usr/bin/env node
'use strict';
// Tells CMakeLists.txt where the running node's V8 headers are: prints
// "on;<include dir>;<node version>" when <prefix>/include/node has v8.h for
// exactly this node version, else "off;<why>". The JS stack at crash time
// calls V8's C++ API (not Node-API), so headers of another version would not do.
const fs = require('node:fs');
const path = require('node:path');

/** Why the headers in `dir` cannot serve node `version`, or '' when they can. */
function whyNot(dir, version) {
  if (!fs.existsSync(path.join(dir, 'v8.h')) || !fs.existsSync(path.join(dir, 'v8-isolate.h')))
    return `the V8 headers are not installed (${dir}/v8.h is missing)`;
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, 'node_version.h'), 'utf8');
  } catch {
    return `${dir}/node_version.h is unreadable`;
  }
  const part = (name) => new RegExp(`#define NODE_${name}_VERSION\\s+(\\d+)`).exec(text)?.[1];
  const found = `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  return found === version ? '' : `the V8 headers in ${dir} are for Node ${found}, not the running ${version}`;
}

/** The line CMake reads, for the headers of the node at `execPath`. */
function describe(execPath, version) {
  const dir = path.join(path.dirname(path.dirname(execPath)), 'include', 'node');
  const reason = whyNot(dir, version);
  return reason ? `off;${reason.replace(/[;"\\]/g, ' ')}` : `on;${dir};${version}`;
}

module.exports = { describe };
if (require.main === module) process.stdout.write(describe(process.execPath, process.versions.node));

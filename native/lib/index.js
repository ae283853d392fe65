'use strict';
// Loads the Node-API addon built by scripts/install.js. Never throws: when the
// addon is missing or cannot load, load() says why in one sentence.
const fs = require('node:fs');
const path = require('node:path');

const ADDON = path.join(__dirname, '..', 'build', 'addon', 'Release', 'crashfree_native.node');
const MARKER = path.join(__dirname, '..', 'build', 'addon', 'BUILD_FAILED');

/** Returns `{ ok: true, addon, path }` or `{ ok: false, reason }`. */
function load() {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `native crash capture is not supported on ${process.platform} yet` };
  }
  try {
    return { ok: true, addon: require(ADDON), path: ADDON };
  } catch (err) {
    let why;
    try {
      why = fs.readFileSync(MARKER, 'utf8').trim();
    } catch {
      why = undefined;
    }
    if (why) return { ok: false, reason: `the native addon was not built: ${why}` };
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, reason: `the native addon could not be loaded (${message})` };
  }
}

module.exports = { load, addonPath: ADDON };

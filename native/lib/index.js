'use strict';
// Placeholder until the native module lands: native capture is unavailable.
module.exports = { load() { return { ok: false, reason: 'the native module is not built yet' }; } };

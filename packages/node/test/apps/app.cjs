// The CommonJS flavour of a scenario app: require('@crashfree/node') must work too.
const Crashfree = require('@crashfree/node');

Crashfree.init({ release: 'scenario-cjs@1.0.0', dataDir: process.env.CF_DATA_DIR, anrThresholdMs: 0 });
if (process.env.SCENARIO === 'uncaught') {
  setTimeout(() => {
    throw new RangeError('boom from cjs');
  }, 20);
} else {
  Crashfree.captureMessage('hello from cjs', 'warning');
}

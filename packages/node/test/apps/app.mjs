// A scenario app: what a user's process does, chosen by SCENARIO. Runs the
// built @crashfree/node (ESM) against the collector named by CRASHFREE_DSN.
import * as Crashfree from '@crashfree/node';

const scenario = process.env.SCENARIO;
const client = Crashfree.init({
  release: 'scenario@1.0.0',
  dataDir: process.env.CF_DATA_DIR,
  anrThresholdMs: Number(process.env.CF_ANR_MS ?? 0),
  ...(process.env.CF_ANR_MAX && { anrMaxPerHour: Number(process.env.CF_ANR_MAX) }),
  shutdownTimeoutMs: Number(process.env.CF_SHUTDOWN_MS ?? 2000),
});
const ready = () => process.stdout.write('ready\n');
const waitForSession = async () => {
  for (let i = 0; i < 200 && !client.getSessionId(); i++) await new Promise((r) => setTimeout(r, 10));
  process.stdout.write(`sid ${client.getSessionId()}\n`);
};

function busyLoopFor(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // blocking the event loop on purpose
  }
}

switch (scenario) {
  case 'natural-end':
    Crashfree.captureException(new Error('handled one'));
    setTimeout(() => undefined, 50);
    break;
  case 'process-exit':
    await waitForSession();
    process.exit(3);
    break;
  case 'sigterm':
    await waitForSession();
    setInterval(() => undefined, 1000);
    ready();
    break;
  case 'uncaught':
    setTimeout(() => {
      // Node would die before any of these run; the SDK must not let them run either.
      setImmediate(() => process.stdout.write('app ran after the crash\n'));
      setTimeout(() => process.stdout.write('app ran after the crash\n'), 1);
      throw new Error('boom from a timer');
    }, 20);
    break;
  case 'uncaught-first-tick':
    throw new TypeError('boom before anything started');
  case 'rejection':
    setTimeout(() => {
      Promise.reject(new Error('rejected and nobody caught it'));
    }, 20);
    setTimeout(() => process.stdout.write('still alive\n'), 300);
    break;
  case 'rejection-non-error':
    setTimeout(() => Promise.reject('just a string'), 20);
    break;
  case 'hang-forever':
    await waitForSession();
    ready();
    setInterval(() => undefined, 1000);
    break;
  case 'oom': {
    await waitForSession();
    // Spins at once: the session was persisted synchronously when it started, so recovery finds it.
    const hoard = [];
    for (;;) hoard.push(new Array(100_000).fill({ x: hoard.length }));
  }
  case 'anr':
    await waitForSession();
    setTimeout(() => {
      busyLoopFor(Number(process.env.CF_BLOCK_MS ?? 1500));
      setTimeout(() => process.stdout.write('unblocked\n'), 50);
    }, 500);
    break;
  case 'anr-twice':
    await waitForSession();
    setTimeout(() => {
      busyLoopFor(1500);
      setTimeout(() => {
        busyLoopFor(1500);
        setTimeout(() => process.stdout.write('unblocked\n'), 50);
      }, 300);
    }, 500);
    break;
  case 'sigterm-own-listener':
    process.on('SIGTERM', () => {
      process.stdout.write('app handles SIGTERM\n');
      setTimeout(() => process.exit(0), 100);
    });
    await waitForSession();
    setInterval(() => undefined, 1000);
    ready();
    break;
  case 'uncaught-own-listener':
    process.on('uncaughtException', (error) => process.stdout.write(`app caught ${error.message}\n`));
    setTimeout(() => {
      throw new Error('caught by the app');
    }, 20);
    setTimeout(() => process.stdout.write('still running\n'), 200);
    break;
  case 'anr-dies-blocked':
    await waitForSession();
    setTimeout(() => {
      ready();
      busyLoopFor(60_000);
    }, 500);
    break;
  case 'init-twice':
    Crashfree.init({ release: 'scenario@2.0.0', dataDir: process.env.CF_DATA_DIR });
    setTimeout(() => {
      throw new Error('crash after a second init');
    }, 20);
    break;
  case 'nothing':
    break;
  default:
    throw new Error(`unknown scenario ${scenario}`);
}

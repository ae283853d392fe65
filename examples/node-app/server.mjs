// A small HTTP service instrumented with @crashfree/node.
//
//   CRASHFREE_DSN=http://KEY@127.0.0.1:8969/1 CRASHFREE_RELEASE=my-app@1.2.3 node server.mjs
//
// Environment: CRASHFREE_DSN, CRASHFREE_RELEASE, CRASHFREE_ENVIRONMENT (the SDK
// reads them; SENTRY_* work too), PORT (default 3000, 0 = any free port),
// SESSION_MODE = application (one session per process, the default) or
// request (one session per incoming request, aggregated per minute).
import http from 'node:http';
import * as Crashfree from '@crashfree/node';

const sessionMode = process.env.SESSION_MODE === 'request' ? 'request' : 'application';

// As early as possible: before the app's own code, so its crashes are caught.
Crashfree.init({ sessionMode, anrThresholdMs: 2000 });

function blockFor(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A CPU-bound hot loop, as an accidental O(n²) on a big input would be.
  }
}

const routes = {
  '/': (_req, res) => res.end(`hello from ${process.env.CRASHFREE_RELEASE ?? 'an unnamed release'} (${sessionMode} mode)\n`),
  // A handled error: reported, and the session (or request) counts as errored.
  '/error': (_req, res) => {
    try {
      JSON.parse('{ not json');
    } catch (error) {
      Crashfree.captureException(error);
    }
    res.statusCode = 500;
    res.end('something went wrong, and it was reported\n');
  },
  // An uncaught exception: recorded to disk, sent, then the process exits 1 as Node would.
  '/crash': (_req, res) => {
    res.end('crashing\n');
    setImmediate(() => {
      throw new Error('unrecoverable state in /crash');
    });
  },
  // Blocks the event loop: the watchdog reports an ApplicationNotResponding event.
  '/hang': (req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 3000);
    blockFor(Math.min(ms, 30_000));
    res.end(`blocked for ${ms} ms\n`);
  },
  // Runs out of heap (start with --max-old-space-size=32 to see it quickly): V8
  // aborts, no JavaScript runs; the next start reports the crash from Node's
  // diagnostic report.
  '/oom': (_req, res) => {
    res.end('allocating until the heap runs out\n');
    const hoard = [];
    setImmediate(() => {
      for (;;) hoard.push(new Array(100_000).fill(hoard.length));
    });
  },
  // A clean shutdown: the session ends `exited`. close() sends it now; a bare
  // process.exit() would still record it, and send it on the next start.
  '/exit': (_req, res) => {
    res.end('bye\n', () => {
      server.close();
      Crashfree.close(2000).then(() => process.exit(0));
    });
  },
};

const server = http.createServer((req, res) => {
  const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
  if (route) return route(req, res);
  res.statusCode = 404;
  res.end('not found\n');
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

// A small HTTP service instrumented with @crashfree/node, as `pnpm demo`
// drives it: one process = one user's run of one release (application-mode
// session). Its native addon is wrapped with wrapNativeAddon, so a crash
// inside it is captured by the native handlers and uploaded on the next
// launch.
//
// env: CRASHFREE_DSN, CRASHFREE_RELEASE, PORT (0 = any), SESSION_MODE,
//      DEMO_USER (user id), DEMO_DATA_DIR (this device's SDK data dir),
//      DEMO_ADDON (path of a .node addon exporting add(a, b) and crash(kind)).
// routes: GET /work (calls the addon), GET /crash (crashes inside the addon),
//         GET /exit (ends the session cleanly and exits).
// prints: `listening on http://127.0.0.1:PORT`
import http from 'node:http';
import { createRequire } from 'node:module';
import { close, getNativeCaptureStatus, init, setUser, wrapNativeAddon } from '@crashfree/node';

const require = createRequire(import.meta.url);
if (process.env.DEMO_USER) setUser({ id: process.env.DEMO_USER });
init({
  sessionMode: process.env.SESSION_MODE === 'request' ? 'request' : 'application',
  ...(process.env.DEMO_DATA_DIR && { dataDir: process.env.DEMO_DATA_DIR }),
  anrThresholdMs: 0,
});
if (process.env.DEMO_USER) setUser({ id: process.env.DEMO_USER });

// Without a native addon the app still runs; /crash then fails in JS instead.
const addon = process.env.DEMO_ADDON ? wrapNativeAddon(require(process.env.DEMO_ADDON), { name: 'demo-addon' }) : null;
const native = getNativeCaptureStatus();
if (!native.enabled) process.stderr.write(`app: native crash capture is off: ${native.reason}\n`);

const server = http.createServer((req, res) => {
  const route = new URL(req.url ?? '/', 'http://app.invalid').pathname;
  if (route === '/work') {
    res.end(String(addon ? addon.add(2, 3) : 5));
  } else if (route === '/crash') {
    res.end('crashing\n', () => {
      if (addon) addon.crash('null-deref');
      else setImmediate(() => { throw new Error('demo crash (no native addon)'); });
    });
  } else if (route === '/exit') {
    res.end('bye\n', () => {
      server.close();
      close(5000).then(() => process.exit(0));
    });
  } else {
    res.statusCode = 404;
    res.end('not found\n');
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});

// A request-mode service for the kill and lost-200 tests. Routes: /ok, /handled
// (captures an error, 500), /slow (never answers: in flight until the process
// dies). RELEASE and FLUSH_MS come from the env; SIGTERM closes it (the SDK's own handler).
import http from 'node:http';
import * as Crashfree from '@crashfree/node';

Crashfree.init({
  release: process.env.RELEASE,
  sessionMode: 'request',
  dataDir: process.env.CF_DATA_DIR,
  anrThresholdMs: 0,
  aggregateFlushIntervalMs: Number(process.env.FLUSH_MS ?? 60_000),
});

const server = http.createServer((req, res) => {
  if (req.url === '/ok') res.end('ok');
  else if (req.url === '/handled') {
    Crashfree.captureException(new Error('handled in request'));
    res.statusCode = 500;
    res.end('handled');
  } else if (req.url !== '/slow') {
    res.statusCode = 404;
    res.end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));

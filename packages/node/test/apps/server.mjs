// A scenario HTTP service in request mode: plain node:http or Express (FRAMEWORK).
// Routes: /ok, /handled (captures an error, 500), /async-handled (captures after
// an await), /crash (throws outside any framework's reach: the process dies).
import http from 'node:http';
import * as Crashfree from '@crashfree/node';

Crashfree.init({ release: 'server@1.0.0', sessionMode: 'request', dataDir: process.env.CF_DATA_DIR, anrThresholdMs: 0 });

const routes = {
  '/ok': (res) => res.end('ok'),
  '/handled': (res) => {
    Crashfree.captureException(new Error('handled in request'));
    res.statusCode = 500;
    res.end('handled');
  },
  '/async-handled': async (res) => {
    await new Promise((r) => setTimeout(r, 5));
    Crashfree.captureException(new Error('handled after await'));
    res.statusCode = 500;
    res.end('handled');
  },
  '/crash': () => {
    setImmediate(() => {
      throw new Error('request crashed the process');
    });
  },
};

let server;
if (process.env.FRAMEWORK === 'express') {
  const { default: express } = await import('express');
  const app = express();
  for (const [path, handler] of Object.entries(routes)) app.get(path, (_req, res) => handler(res));
  server = http.createServer(app);
} else {
  server = http.createServer((req, res) => {
    const handler = routes[req.url ?? ''];
    if (handler) handler(res);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
}
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));

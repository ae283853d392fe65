// One short run of a small app, ending as ENDING says, for the bounded data
// dir test: `clean` (the loop empties), `exit` (process.exit(0) right away),
// `uncaught` (an uncaught exception), `kill` (prints "ready" and waits to be
// SIGKILLed), `request` (a request-mode server that prints its URL and waits
// to be SIGKILLed mid-traffic). CF_DATA_DIR is the shared data dir.
import http from 'node:http';
import * as Crashfree from '@crashfree/node';

const ending = process.env.ENDING;
const client = Crashfree.init({
  release: process.env.RELEASE ?? 'runs@1.0.0',
  dataDir: process.env.CF_DATA_DIR,
  sessionMode: ending === 'request' ? 'request' : 'application',
  anrThresholdMs: Number(process.env.CF_ANR_MS ?? 0),
  shutdownTimeoutMs: 1000,
});

Crashfree.captureException(new Error(`handled in a ${ending} run`));
const started = async () => {
  for (let i = 0; i < 300 && !client.getSessionId(); i++) await new Promise((r) => setTimeout(r, 5));
};

switch (ending) {
  case 'clean':
    break;
  case 'exit':
    process.exit(0);
    break;
  case 'uncaught':
    await started();
    setTimeout(() => {
      throw new Error('uncaught in a short run');
    }, 5);
    break;
  case 'kill':
    await started();
    process.stdout.write('ready\n');
    setInterval(() => undefined, 1000);
    break;
  case 'request': {
    const server = http.createServer((req, res) => {
      if (req.url === '/handled') Crashfree.captureException(new Error('handled in a request'));
      res.end('ok');
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
    break;
  }
  default:
    throw new Error(`unknown ENDING ${ending}`);
}

#!/usr/bin/env node
// Starts the local collector and a static server for index.html and the
// crashfree IIFE bundle, both on 127.0.0.1. Open the printed page URL.
//   pnpm --filter "@crashfree/browser..." --filter @crashfree/collector build
//   node examples/browser-page/serve.mjs [--port 8080]
import { startCollector } from '@crashfree/collector';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8080;
const bundlePath = createRequire(import.meta.url).resolve('@crashfree/browser/dist/crashfree.iife.min.js');

const collector = await startCollector({ port: 0 });
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const send = (type, body) => res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  if (url.pathname === '/' || url.pathname === '/index.html') return send('text/html', readFileSync(path.join(here, 'index.html')));
  if (url.pathname === '/crashfree.iife.min.js') return send('text/javascript', readFileSync(bundlePath));
  if (url.pathname === '/config.js') {
    return send('text/javascript', `window.CRASHFREE_DSN = ${JSON.stringify(collector.dsn)};\nwindow.CRASHFREE_COLLECTOR = ${JSON.stringify(collector.url)};`);
  }
  if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
  if (url.pathname === '/bye.html') return send('text/html', '<!doctype html><p>Bye. <a href="/">Back</a> (the page may come back from the bfcache).</p>');
  res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => {
  console.log(`page       http://127.0.0.1:${server.address().port}/`);
  console.log(`collector  ${collector.url}  (page: ${collector.url}/)`);
  console.log(`sessions   curl -H 'Authorization: Bearer ${collector.token}' '${collector.url}/api/0/crashfree/items?project=1&type=session'`);
});
const stop = async () => {
  server.close();
  await collector.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// The app side of the core scenario tests: a plain-Node program using the
// BUILT @crashfree/core with a tiny platform written here (a file Store, a
// pid-based liveness, node:http as the request executor), run as a child
// process by scenario.test.ts. Usage:
//   node scenario.mjs <mode> <dsn> <dataDir>
// Modes: session, uncaught, sigkill, recover, request.
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { createClient } from '@crashfree/core';

const [mode, dsn, dataDir] = process.argv.slice(2);
if (!mode || !dsn || !dataDir) {
  console.error('usage: node scenario.mjs <mode> <dsn> <dataDir>');
  process.exit(2);
}

// A file Store: one file per key (the key's "/" encoded), written to a temp file, fsynced and renamed.
const dir = path.join(dataDir, 'store');
mkdirSync(dir, { recursive: true });
const fileOf = (key) => path.join(dir, encodeURIComponent(key));
const keyOf = (name) => decodeURIComponent(name);
function writeAtomic(key, value) {
  const tmp = path.join(dir, `.tmp-${randomUUID()}`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof value === 'string' ? Buffer.from(`s${value}`) : Buffer.concat([Buffer.from('b'), Buffer.from(value)]));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, fileOf(key));
}
const store = {
  async get(key) {
    try {
      const raw = await readFile(fileOf(key));
      return raw[0] === 0x73 ? raw.subarray(1).toString('utf8') : new Uint8Array(raw.subarray(1));
    } catch {
      return undefined;
    }
  },
  async set(key, value) {
    writeAtomic(key, value);
  },
  async delete(key) {
    await rm(fileOf(key), { force: true });
  },
  async keys(prefix = '') {
    return (await readdir(dir)).filter((n) => !n.startsWith('.tmp-')).map(keyOf).filter((k) => k.startsWith(prefix)).sort();
  },
  setSync: writeAtomic,
};

const liveness = {
  owner: () => ({ pid: process.pid, token: process.env.SCENARIO_RUN ?? randomUUID() }),
  async isAlive(owner) {
    try {
      process.kill(Number(owner.pid), 0);
      return owner.pid === process.pid; // a reused pid in the test machine is another process
    } catch {
      return false;
    }
  },
};

const makeRequest = (req) =>
  new Promise((resolve, reject) => {
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body);
    const r = request(req.url, { method: 'POST', headers: { ...req.headers, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: { 'retry-after': res.headers['retry-after'], 'x-sentry-rate-limits': res.headers['x-sentry-rate-limits'] } }));
    });
    r.on('error', reject);
    r.end(body);
  });

// Events are built synchronously (a resolved thenable), as the fatal path requires.
const now = (value) => ({ then: (ok) => now(ok ? ok(value) : value) });
const platform = {
  name: 'node',
  sdk: { name: 'crashfree.scenario', version: '0.0.0' },
  store,
  makeRequest,
  liveness,
  eventFromException: (exception, hint) =>
    now({
      exception: {
        values: [
          {
            type: exception?.name ?? 'Error',
            value: exception?.message ?? String(exception),
            mechanism: { type: hint?.mechanism?.type ?? 'generic', handled: hint?.mechanism?.handled ?? true },
          },
        ],
      },
    }),
  eventFromMessage: (message, level) => now({ message, level: level ?? 'info' }),
};

const client = createClient({ dsn, release: 'scenario@1.0.0', environment: 'test', sessionMode: mode === 'request' ? 'request' : 'application' }, platform);
const result = await client.start();
console.log(JSON.stringify({ started: client.getSessionId() ?? null, recovery: result }));

switch (mode) {
  case 'session': {
    client.captureException(new Error('handled one'));
    client.captureMessage('hello from the scenario', 'warning');
    client.captureException(new Error('handled two'));
    await client.close(5000);
    break;
  }
  case 'uncaught': {
    process.on('uncaughtException', (error) => {
      client.captureFatalSync(error, { mechanism: { type: 'onuncaughtexception', handled: false } });
      void client.flush(2000).finally(() => process.exit(1));
    });
    setTimeout(() => {
      throw new TypeError('unhandled in the scenario');
    }, 10);
    break;
  }
  case 'sigkill': {
    client.captureException(new Error('before the kill'));
    await client.flush(2000);
    process.kill(process.pid, 'SIGKILL');
    break;
  }
  case 'recover': {
    await client.close(5000);
    break;
  }
  case 'request': {
    for (let i = 0; i < 20; i++) {
      const req = client.startRequest();
      if (i % 5 === 0) req.captureException(new Error(`request ${i} failed`));
      req.end();
    }
    await client.close(5000);
    break;
  }
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(2);
}

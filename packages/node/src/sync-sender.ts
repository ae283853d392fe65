/**
 * Synchronous HTTP for the fatal-crash path. After an uncaught exception
 * Node would already be dead; the SDK must not let the app's timers, I/O
 * callbacks or servers run on while it delivers the crash. So the main
 * thread blocks (Atomics.wait) while a helper worker thread does the POST,
 * and reads the answer with `receiveMessageOnPort` — no event-loop turn in
 * between. The worker is started only when a crash happens.
 */
import type { TransportHttpRequest, TransportHttpResponse } from '@crashfree/core';

const WORKER_SOURCE = String.raw`
'use strict';
const { workerData } = require('node:worker_threads');
const { port, signal } = workerData;
const flag = new Int32Array(signal);
port.on('message', ({ url, body, headers, timeoutMs }) => {
  const done = (answer) => {
    port.postMessage(answer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  try {
    const target = new URL(url);
    const lib = require(target.protocol === 'https:' ? 'node:https' : 'node:http');
    const req = lib.request(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs });
    req.on('timeout', () => req.destroy(new Error('timed out after ' + timeoutMs + ' ms')));
    req.on('error', (e) => done({ error: String(e && e.message || e) }));
    req.on('response', (res) => {
      const out = {};
      for (const [k, v] of Object.entries(res.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      res.resume();
      res.on('end', () => done({ statusCode: res.statusCode, headers: out }));
      res.on('error', (e) => done({ error: String(e && e.message || e) }));
    });
    req.end(body);
  } catch (e) {
    done({ error: String(e && e.message || e) });
  }
});
`;

/** Blocking POSTs; `send` throws on network errors and timeouts, as a rejected request would. */
export interface SyncSender {
  send(request: TransportHttpRequest, timeoutMs: number): TransportHttpResponse;
}

/** Starts the helper worker (unref'd: it never keeps the process alive). */
export function createSyncSender(): SyncSender {
  const { Worker, MessageChannel, receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, signal }, transferList: [port2], execArgv: [], stdout: false, stderr: false });
  worker.unref();
  port1.unref();

  return {
    send(request, timeoutMs) {
      Atomics.store(flag, 0, 0);
      const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body);
      port1.postMessage({ url: request.url, body, headers: request.headers, timeoutMs });
      if (Atomics.wait(flag, 0, 0, Math.max(1, timeoutMs)) === 'timed-out') throw new Error(`crashfree: no answer within ${timeoutMs} ms`);
      const answer = receiveMessageOnPort(port1)?.message as (TransportHttpResponse & { error?: string }) | undefined;
      if (!answer || answer.error !== undefined) throw new Error(`crashfree: ${answer?.error ?? 'no answer'}`);
      return { statusCode: answer.statusCode, headers: answer.headers };
    },
  };
}

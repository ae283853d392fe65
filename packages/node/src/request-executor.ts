/**
 * The core's RequestExecutor over node:http / node:https: one keep-alive
 * agent per scheme and a bound on every request. Node's agent unrefs idle
 * pooled sockets, so they never keep the user's process alive.
 */
import * as http from 'node:http';
import type { RequestExecutor, TransportHttpResponse } from '@crashfree/core';

/** Options of {@link createRequestExecutor}. */
export interface RequestExecutorOptions {
  /** Whole-request bound (connect + send + response headers), default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends envelope POSTs. Rejects on network errors and timeouts (the core
 * keeps the envelope for retry); resolves with the status and lower-cased
 * headers otherwise, after draining the body so the socket is reused.
 */
export function createRequestExecutor(options: RequestExecutorOptions = {}): RequestExecutor {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  // node:https costs ~10 ms to load: only DSNs that use it pay for it.
  let https: typeof import('node:https') | undefined;
  let httpsAgent: import('node:https').Agent | undefined;

  return (request) =>
    new Promise<TransportHttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      let agent: http.Agent = httpAgent;
      let send = http.request;
      if (url.protocol === 'https:') {
        https ??= process.getBuiltinModule('node:https');
        httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 4 });
        agent = httpsAgent;
        send = https.request;
      }
      const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
      const req = send(url, {
        method: 'POST',
        agent,
        headers: { ...request.headers, 'content-length': String(body.byteLength) },
      });
      const timer = setTimeout(() => req.destroy(new Error(`crashfree: request timed out after ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.on('response', (res) => {
        clearTimeout(timer);
        const headers: TransportHttpResponse['headers'] = {};
        for (const [name, value] of Object.entries(res.headers)) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        res.resume();
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers }));
        res.on('error', reject);
      });
      req.end(body);
    });
}

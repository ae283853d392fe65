import type { RequestExecutor } from '@crashfree/core';

/**
 * Sends envelopes with React Native's `fetch`. Response headers are handed to
 * the core lower-cased (it reads `retry-after` and `x-sentry-rate-limits`); a
 * network failure rejects, which the core's durable queue turns into a retry.
 */
export function makeFetchRequest(fetchImpl: typeof fetch = globalThis.fetch): RequestExecutor {
  return async (request) => {
    if (typeof fetchImpl !== 'function') throw new Error('[crashfree] fetch is not available');
    const response = await fetchImpl(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body as BodyInit,
    });
    return {
      statusCode: response.status,
      headers: {
        'retry-after': response.headers.get('retry-after'),
        'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'),
      },
    };
  };
}

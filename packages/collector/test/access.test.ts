// The read rule over real HTTP: every read route x token x Host x Origin,
// and the ingest routes' CORS beside it. (A hostile page in real Chromium:
// test/browser/collector-access.test.ts.)
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, freshCollector, post } from './helpers.js';

let ctx: Awaited<ReturnType<typeof freshCollector>>;
let attachmentId = '';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw request, so the test sets any Host and Origin it likes. */
function send(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Host '' stands for no Host header at all (HTTP/1.0 clients).
    const { Host, ...rest } = headers;
    const opts = Host === '' ? { setHost: false, headers: rest } : { headers };
    const req = request({ host: '127.0.0.1', port: ctx.collector.port, method, path: pathAndQuery, ...opts }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  ctx = await freshCollector({ allowedHosts: ['devbox.lan'] });
  const id = 'c'.repeat(32);
  const body = envelope({ event_id: id }, [
    [{ type: 'event' }, { event_id: id, level: 'fatal', release: 'r@1', exception: { values: [{ type: 'E', value: 'secret crash data', mechanism: { type: 'x', handled: false } }] } }],
    [{ type: 'attachment', filename: 'dump.dmp', attachment_type: 'event.minidump' }, Buffer.from('MDMP-secret')],
  ]);
  expect((await post(ctx.collector, body)).status).toBe(200);
  attachmentId = ctx.collector.items({ type: 'attachment' })[0]!.attachment!.path.split('/').pop()!;
});
afterAll(() => ctx.cleanup());

const readRoutes = () => [
  `/api/0/crashfree/items?project=1`,
  `/api/0/crashfree/items?project=1&type=event`,
  `/api/0/crashfree/attachments/${attachmentId}`,
  `/api/0/organizations/acme/sessions/?field=sum(session)&statsPeriod=1h`,
  `/api/0/organizations/acme/releases/r@1/deploys/`,
  `/api/0/organizations/acme/crashfree/releases/`,
  `/api/0/organizations/acme/crashfree/crashes/`,
  `/api/0/organizations/acme/projects/`,
  `/api/0/organizations/acme/issues/`,
  `/api/0/organizations/acme/issues/?query=is:unresolved&sort=freq`,
  `/api/0/organizations/acme/issues/no-such-issue/`,
  `/api/0/organizations/acme/a-route-added-later/`,
  `/api/0/a-route-added-later/`,
  `/page/a-route-added-later.js`,
];

/** Routes that exist only for a reader with the token who asks for something missing. */
const missingForReader = (route: string) => route.includes('a-route-added-later') || route.includes('no-such-issue');

describe('reads need the token, a known Host and no foreign origin', () => {
  it('answers every read route only with the bearer token, from a loopback or allowed name, and never sends CORS headers', async () => {
    const port = ctx.collector.port;
    const token = { Authorization: `Bearer ${ctx.collector.token}` };
    const cases: Array<[string, Record<string, string>, number]> = [
      ['no token', { Host: `127.0.0.1:${port}` }, 401],
      ['a wrong token', { Host: `127.0.0.1:${port}`, Authorization: 'Bearer wrong-token-000' }, 401],
      ['the DSN key instead', { Host: `127.0.0.1:${port}`, Authorization: `Sentry sentry_key=${new URL(ctx.collector.dsn).username}` }, 401],
      ['the token in the query string', { Host: `127.0.0.1:${port}` }, 401],
      ['a rebinding Host', { Host: `evil.example:${port}`, ...token }, 403],
      ['a rebinding Host without port', { Host: 'evil.example', ...token }, 403],
      ['no Host', { Host: '', ...token }, 400], // refused by node:http itself
      ['a foreign Origin', { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example', ...token }, 403],
      ['another loopback origin', { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port + 1}`, ...token }, 403],
      ['Sec-Fetch-Site cross-site', { Host: `127.0.0.1:${port}`, 'Sec-Fetch-Site': 'cross-site', ...token }, 403],
      ['the token from 127.0.0.1', { Host: `127.0.0.1:${port}`, ...token }, 200],
      ['the token from localhost', { Host: `localhost:${port}`, ...token }, 200],
      ['the token from an allowed name', { Host: `DevBox.lan:${port}`, ...token }, 200],
      ['the token and its own origin', { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}`, ...token }, 200],
    ];
    const seen: string[] = [];
    for (const route of readRoutes()) {
      for (const [name, headers, expected] of cases) {
        const target = name === 'the token in the query string' ? `${route}${route.includes('?') ? '&' : '?'}token=${ctx.collector.token}` : route;
        const res = await send('GET', target, headers);
        const want = expected === 200 && missingForReader(route) ? 404 : expected;
        seen.push(`${route} | ${name} | ${res.status}${res.status === want ? '' : ` (expected ${want})`}`);
        expect(res.headers['access-control-allow-origin'], `${route} ${name}`).toBeUndefined();
        if (res.status !== 200) {
          expect(res.body).not.toContain('secret');
          if (name !== 'no Host') expect(JSON.parse(res.body).detail, `${route} ${name}`).toMatch(/\S/);
        }
      }
    }
    expect(seen.filter((l) => l.includes('expected'))).toEqual([]);
  });

  it('answers no read route a CORS preflight or a write from a foreign origin, token or not', async () => {
    const port = ctx.collector.port;
    for (const route of readRoutes()) {
      for (const method of ['OPTIONS', 'POST', 'PUT', 'DELETE']) {
        for (const auth of [{}, { Authorization: `Bearer ${ctx.collector.token}` }]) {
          const res = await send(method, route, { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET', ...auth });
          expect(res.status, `${method} ${route}`).toBe(403);
          expect(res.headers['access-control-allow-origin'], `${method} ${route}`).toBeUndefined();
          expect(res.headers['access-control-allow-credentials'], `${method} ${route}`).toBeUndefined();
        }
      }
    }
  });

  it('answers no CORS preflight for a read route, and records no deploy from a foreign origin', async () => {
    const preflight = await send('OPTIONS', '/api/0/crashfree/items?project=1', {
      Host: `127.0.0.1:${ctx.collector.port}`,
      Origin: 'http://evil.example',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const deploy = await send(
      'POST',
      '/api/0/organizations/acme/releases/r@1/deploys/',
      { Host: `127.0.0.1:${ctx.collector.port}`, Origin: 'http://evil.example', 'Content-Type': 'application/json', Authorization: `Bearer ${ctx.collector.token}` },
      '{"environment":"production"}',
    );
    expect(deploy.status).toBe(403);
    const list = await send('GET', '/api/0/organizations/acme/releases/r@1/deploys/', { Host: `127.0.0.1:${ctx.collector.port}`, Authorization: `Bearer ${ctx.collector.token}` });
    expect(JSON.parse(list.body)).toEqual([]);
  });

  it('serves the page to a loopback or allowed name only, the token embedded only for loopback names', async () => {
    const port = ctx.collector.port;
    const local = await send('GET', '/', { Host: `127.0.0.1:${port}` });
    expect(local.status).toBe(200);
    expect(local.body).toContain(ctx.collector.token);
    expect(local.headers['x-frame-options']).toBe('DENY');
    const lan = await send('GET', '/', { Host: `devbox.lan:${port}` });
    expect(lan.status).toBe(200);
    expect(lan.body).not.toContain(ctx.collector.token);
    const rebound = await send('GET', '/', { Host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(ctx.collector.token);
  });

  it('keeps the ingest routes open to browser SDKs on any origin, with the DSN key', async () => {
    const preflight = await send('OPTIONS', '/api/1/envelope/', {
      Host: `127.0.0.1:${ctx.collector.port}`,
      Origin: 'https://shop.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
    const id = 'd'.repeat(32);
    const body = envelope({ event_id: id }, [[{ type: 'event' }, { event_id: id, message: 'from a page' }]]).toString();
    const key = new URL(ctx.collector.dsn).username;
    const sent = await send('POST', `/api/1/envelope/?sentry_key=${key}`, { Host: `collector.anywhere:${ctx.collector.port}`, Origin: 'https://shop.example', 'Content-Type': 'text/plain' }, body);
    expect(sent.status).toBe(200);
    expect(sent.headers['access-control-allow-origin']).toBe('https://shop.example');
    const noKey = await send('POST', '/api/1/envelope/', { Host: `127.0.0.1:${ctx.collector.port}`, Origin: 'https://shop.example', Authorization: `Bearer ${ctx.collector.token}` }, body.replace(/^\{[^\n]*\}/, '{}'));
    expect(noKey.status).toBe(401);
  });
});

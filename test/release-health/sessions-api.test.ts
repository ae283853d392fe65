import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '@crashfree/collector';
import { envelope, population, sendEnvelope, sendSessions } from './envelopes.js';

let collector: Collector;
let dataDir: string;

async function api(pathAndQuery: string, init: RequestInit = {}, token: string | null = collector.token) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(`${collector.url}/api/0/organizations/acme${pathAndQuery}`, { ...init, headers });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rh-api-'));
  collector = await startCollector({ port: 0, dataDir });
  await sendSessions(collector.dsn, population('1.0.0', 1000, 2));
  await sendSessions(collector.dsn, population('1.1.0', 500, 10));
  // one user crashing three times on 1.1.0 in staging, from a browser SDK
  await sendSessions(
    collector.dsn,
    [0, 1, 2].map((i) => ({ sid: `stg-${i}`, did: 'tester', release: '1.1.0', environment: 'staging', end: 'crashed' as const })),
    'sentry.javascript.browser',
  );
});

afterAll(async () => {
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /api/0/organizations/:org/sessions/', () => {
  it('needs the bearer token', async () => {
    expect((await api('/sessions/?field=sum(session)', {}, null)).status).toBe(401);
    const wrong = await api('/sessions/?field=sum(session)', {}, 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toContain('Bearer');
  });

  it('answers Sentry-shaped totals and series grouped by release', async () => {
    const fields = ['sum(session)', 'count_unique(user)', 'crash_free_rate(session)', 'crash_free_rate(user)', 'crash_rate(session)'];
    const q = `?${fields.map((f) => `field=${encodeURIComponent(f)}`).join('&')}&groupBy=release&query=${encodeURIComponent('environment:production')}&statsPeriod=1h&interval=5m`;
    const { status, body } = await api(`/sessions/${q}`);
    expect(status).toBe(200);
    // 5-minute buckets from the floored start to now: 13 unless now is on a boundary.
    expect(body.intervals.length).toBe(Math.ceil((Date.parse(body.end) - Date.parse(body.start)) / 300_000));
    expect(body.intervals.length).toBeGreaterThanOrEqual(12);
    expect(Date.parse(body.intervals[1]) - Date.parse(body.intervals[0])).toBe(300_000);
    expect(Date.parse(body.intervals[0]) % 300_000).toBe(0);
    expect(body.query).toBe('environment:production');
    const byRelease = Object.fromEntries(body.groups.map((g: any) => [g.by.release, g]));
    expect(byRelease['1.0.0'].totals).toEqual({
      'sum(session)': 1000,
      'count_unique(user)': 1000,
      'crash_free_rate(session)': 0.998,
      'crash_free_rate(user)': 0.998,
      'crash_rate(session)': 0.002,
    });
    expect(byRelease['1.1.0'].totals['crash_free_rate(session)']).toBeCloseTo(0.98, 12);
    const series = byRelease['1.0.0'].series['sum(session)'] as number[];
    expect(series.reduce((a, b) => a + b, 0)).toBe(1000);
    const span = Date.parse(body.end) - Date.parse(body.start);
    expect(span).toBeGreaterThanOrEqual(3_600_000);
    // Sentry's rounding: the start floored to the interval, the end the next boundary after now.
    expect(span).toBeLessThanOrEqual(3_600_000 + 300_000);
    expect(Date.parse(body.end)).toBeGreaterThanOrEqual(Date.now() - 1000);
  });

  it('filters with query release:X and counts users once per release', async () => {
    const q = '?field=sum(session)&field=count_unique(user)&field=crash_free_rate(user)&groupBy=environment&query=release%3A1.1.0&statsPeriod=24h';
    const { body } = await api(`/sessions/${q}`);
    const staging = body.groups.find((g: any) => g.by.environment === 'staging');
    expect(staging.totals).toEqual({ 'sum(session)': 3, 'count_unique(user)': 1, 'crash_free_rate(user)': 0 });
  });

  it('reads quoted values, [a,b] lists and AND in query', async () => {
    const field = 'field=sum(session)&groupBy=release&statsPeriod=24h';
    const quoted = await api(`/sessions/?${field}&query=${encodeURIComponent('release:"1.1.0" AND environment:production')}`);
    expect(quoted.body.groups.map((g: any) => [g.by.release, g.totals['sum(session)']])).toEqual([['1.1.0', 500]]);
    const list = await api(`/sessions/?${field}&query=${encodeURIComponent('release:[1.0.0,"1.1.0"]')}`);
    expect(list.body.groups.map((g: any) => [g.by.release, g.totals['sum(session)']])).toEqual([
      ['1.0.0', 1000],
      ['1.1.0', 503],
    ]);
    const bad = await api(`/sessions/?${field}&query=${encodeURIComponent('release')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('query: cannot parse "release"');
  });

  it('groups by session.status and by platform', async () => {
    const { body } = await api('/sessions/?field=sum(session)&groupBy=session.status&query=release:1.1.0&statsPeriod=24h');
    const byStatus = Object.fromEntries(body.groups.map((g: any) => [g.by['session.status'], g.totals['sum(session)']]));
    expect(byStatus).toEqual({ healthy: 490, errored: 0, crashed: 13, abnormal: 0 });
    const platforms = await api('/sessions/?field=sum(session)&groupBy=platform&query=release:1.1.0&statsPeriod=24h');
    expect(platforms.body.groups.map((g: any) => [g.by.platform, g.totals['sum(session)']])).toEqual([
      ['browser', 3],
      ['node', 500],
    ]);
  });

  it('rounds the range to the interval as Sentry does: start floored, end on the next boundary', async () => {
    const before = Date.now();
    const { body } = await api('/sessions/?field=sum(session)&statsPeriod=1h&interval=1d&query=release:1.0.0');
    expect(body.groups[0].totals['sum(session)']).toBe(1000);
    const start = Date.parse(body.start);
    const end = Date.parse(body.end);
    expect(start).toBe(Math.floor((before - 3_600_000) / 86_400_000) * 86_400_000);
    expect(end % 86_400_000).toBe(0);
    expect(end).toBeGreaterThan(before);
    expect(body.intervals).toEqual(Array.from({ length: (end - start) / 86_400_000 }, (_, i) => new Date(start + i * 86_400_000).toISOString().replace('.000Z', 'Z')));
  });

  it('defaults to the last 90 days at 1h like Sentry, which is too many points', async () => {
    const r = await api('/sessions/?field=sum(session)');
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('Your interval and date range would create too many results. Use a larger interval, or a smaller date range.');
    expect((await api('/sessions/?field=sum(session)&interval=1d')).status).toBe(200);
  });

  it('answers groupBy=project with numeric ids and lists the project as Sentry does', async () => {
    const { body } = await api('/sessions/?field=sum(session)&groupBy=project&query=release:1.0.0&statsPeriod=24h');
    expect(body.groups.map((g: any) => g.by)).toEqual([{ project: 1 }]);
    const projects = await api('/projects/');
    expect(projects.status).toBe(200);
    expect(projects.body).toEqual([{ id: '1', slug: 'default', name: 'default' }]);
  });

  it('says "no data" (null) for an empty selection, not 100%', async () => {
    const { body } = await api('/sessions/?field=sum(session)&field=crash_free_rate(session)&query=release:9.9.9&statsPeriod=24h');
    expect(body.groups).toEqual([
      { by: {}, totals: { 'sum(session)': 0, 'crash_free_rate(session)': null }, series: expect.any(Object) },
    ]);
  });

  it('rejects bad parameters naming them', async () => {
    const cases: Array<[string, string]> = [
      ['?field=avg(session)', 'field: got "avg(session)"'],
      ['?field=sum(session)&groupBy=os', 'groupBy: got "os"'],
      ['?field=sum(session)&statsPeriod=forever', "Invalid statsPeriod: 'forever'"],
      ['?field=sum(session)&interval=10s', 'The interval has to be a multiple of the minimum interval of one minute.'],
      ['?field=sum(session)&interval=7m', 'The interval should divide one day without a remainder.'],
      ['?field=sum(session)&interval=2d', 'The interval has to be less than one day.'],
      ['?field=sum(session)&statsPeriod=24h&interval=1m', 'Your interval and date range would create too many results.'],
      ['?field=sum(session)&start=2026-01-01T00:00:00Z', 'start and end are both required'],
      ['?field=sum(session)&start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z', 'start must be before end'],
      ['?field=sum(session)&interval=soon', 'interval: got "soon"'],
      ['?field=sum(session)&query=version:1', 'query: unknown key "version"'],
      ['?field=crash_free_rate(session)&groupBy=session.status', 'cannot group crash_free_rate(session) by session.status'],
    ];
    for (const [q, detail] of cases) {
      const r = await api(`/sessions/${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.detail).toContain(detail);
    }
  });

  it('takes new envelopes into account incrementally (aggregates too)', async () => {
    const before = await api('/sessions/?field=sum(session)&query=release:2.0.0&statsPeriod=24h');
    expect(before.body.groups[0].totals['sum(session)']).toBe(0);
    await sendEnvelope(
      collector.dsn,
      envelope('sessions', [{ attrs: { release: '2.0.0', environment: 'production' }, aggregates: [{ started: new Date().toISOString(), exited: 40, crashed: 2 }] }]),
    );
    const after = await api('/sessions/?field=sum(session)&field=crash_free_rate(session)&query=release:2.0.0&statsPeriod=24h');
    expect(after.body.groups[0].totals).toEqual({ 'sum(session)': 42, 'crash_free_rate(session)': 1 - 2 / 42 });
  });
});

describe('deploys', () => {
  it('records, lists and persists deploys across a restart', async () => {
    const created = await api('/releases/1.1.0/deploys/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ environment: 'production', name: 'canary', url: 'https://ci.example/run/7', dateFinished: '2026-11-21T10:00:00Z' }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ environment: 'production', name: 'canary', version: '1.1.0', dateFinished: '2026-11-21T10:00:00.000Z' });
    const bad = await api('/releases/1.1.0/deploys/', { method: 'POST', body: JSON.stringify({ name: 'x' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe('environment: required (a non-empty string)');

    const token = collector.token;
    await collector.close();
    collector = await startCollector({ port: 0, dataDir });
    expect(collector.token).toBe(token);
    const listed = await api('/releases/1.1.0/deploys/');
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0].url).toBe('https://ci.example/run/7');
    expect((await api('/releases/1.0.0/deploys/')).body).toEqual([]);
    // the index is rebuilt from stored items after the restart
    const s = await api('/sessions/?field=sum(session)&query=release:1.0.0&statsPeriod=24h');
    expect(s.body.groups[0].totals['sum(session)']).toBe(1000);
  });
});

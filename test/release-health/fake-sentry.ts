/**
 * A Sentry-faithful sessions API on loopback, written from Sentry's documented
 * behaviour and its `get_constrained_date_range` (read, not copied): interval
 * default 1h, a multiple of one hour, at most a day and dividing a day; start
 * floored to the interval, end raised to the next boundary; at most 1000
 * intervals; `{ start, end, intervals, groups: [{ by, totals, series }] }` with
 * numeric project ids; 400 `{detail}` with Sentry's messages; a projects list.
 * The clock comes from the test. `override` lets a test answer malformed bodies.
 */
import { createServer, type Server } from 'node:http';

/** One session as Sentry would have counted it. */
export interface FakeSession {
  started: number;
  release: string;
  environment: string;
  project: number;
  did: string;
  crashed: boolean;
}

/** A running fake. */
export interface FakeSentry {
  url: string;
  token: string;
  sessions: FakeSession[];
  projects: Array<{ id: string; slug: string }>;
  now: number;
  override: ((body: Record<string, unknown>) => unknown) | null;
  close(): Promise<void>;
}

const H = 3_600_000;
const DAY = 24 * H;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: H, d: DAY, w: 7 * DAY };

function duration(text: string | null): number | null {
  const m = text === null ? null : /^(\d+)([smhdw]?)$/.exec(text);
  return m ? Number(m[1]) * (UNITS[m[2] || 's'] as number) : null;
}

function isoZ(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

class Bad extends Error {}

function range(q: URLSearchParams, now: number): { start: number; end: number; interval: number } {
  const interval = duration(q.get('interval') ?? '1h') ?? H;
  if (interval % H !== 0 || interval < H) throw new Bad('The interval has to be a multiple of the minimum interval of one hour.');
  if (interval > DAY) throw new Bad('The interval has to be less than one day.');
  if (DAY % interval !== 0) throw new Bad('The interval should divide one day without a remainder.');
  let start = now - 90 * DAY;
  let end = now;
  if (q.get('statsPeriod') !== null) {
    const p = duration(q.get('statsPeriod'));
    if (p === null) throw new Bad(`Invalid statsPeriod: '${q.get('statsPeriod')}'`);
    start = now - p;
  } else if (q.get('start') || q.get('end')) {
    if (!q.get('start') || !q.get('end')) throw new Bad('start and end are both required');
    // Sentry reads dates without a zone as UTC.
    start = Date.parse(String(q.get('start')).replace(/Z?$/, 'Z'));
    end = Date.parse(String(q.get('end')).replace(/Z?$/, 'Z'));
  }
  if (start >= end) throw new Bad('start must be before end');
  if (start > now) start = now;
  const s = Math.trunc(start / interval) * interval;
  const cover = end - s;
  const n = Math.trunc(cover / interval) + (cover % interval !== 0 ? 1 : 0);
  if (n > 1000) throw new Bad('Your interval and date range would create too many results. Use a larger interval, or a smaller date range.');
  return { start: s, end: s + n * interval, interval };
}

function totals(list: FakeSession[], fields: string[]): Record<string, number | null> {
  const users = new Set(list.map((x) => x.did));
  const crashedUsers = new Set(list.filter((x) => x.crashed).map((x) => x.did));
  const crashed = list.filter((x) => x.crashed).length;
  const out: Record<string, number | null> = {};
  for (const f of fields) {
    if (f === 'sum(session)') out[f] = list.length;
    else if (f === 'count_unique(user)') out[f] = users.size;
    else if (f === 'crash_free_rate(session)') out[f] = list.length ? 1 - crashed / list.length : null;
    else if (f === 'crash_free_rate(user)') out[f] = users.size ? 1 - crashedUsers.size / users.size : null;
  }
  return out;
}

/** Starts the fake on a free loopback port. */
export async function startFakeSentry(now: number): Promise<FakeSentry> {
  const fake: FakeSentry = { url: '', token: 'sntrys_fake_token_1234', sessions: [], projects: [], now, override: null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${fake.token}`) return send(401, { detail: 'Invalid token' });
    const url = new URL(req.url ?? '/', 'http://x');
    if (/^\/api\/0\/organizations\/[^/]+\/projects\/$/.test(url.pathname)) return send(200, fake.projects);
    if (!/^\/api\/0\/organizations\/[^/]+\/sessions\/$/.test(url.pathname)) return send(404, { detail: 'not found' });
    const q = url.searchParams;
    try {
      const { start, end, interval } = range(q, fake.now);
      const fields = q.getAll('field');
      const groupBy = q.getAll('groupBy');
      const release = /release:(\S+)/.exec(q.get('query') ?? '')?.[1];
      const env = q.get('environment');
      const projects = q.getAll('project').map(Number);
      const picked = fake.sessions.filter(
        (x) => x.started >= start && x.started < end && (!release || x.release === release) && (!env || x.environment === env) && (!projects.length || projects.includes(x.project)),
      );
      const groups = new Map<string, FakeSession[]>();
      for (const x of picked) {
        const key = JSON.stringify(groupBy.map((g) => (g === 'project' ? x.project : (x as unknown as Record<string, unknown>)[g])));
        groups.set(key, [...(groups.get(key) ?? []), x]);
      }
      if (groups.size === 0 && groupBy.length === 0) groups.set('[]', []);
      const intervals: number[] = [];
      for (let t = start; t < end; t += interval) intervals.push(t);
      const body = {
        start: isoZ(start),
        end: isoZ(end),
        query: q.get('query') ?? '',
        intervals: intervals.map(isoZ),
        groups: [...groups].map(([key, list]) => ({
          by: Object.fromEntries(groupBy.map((g, i) => [g, (JSON.parse(key) as unknown[])[i]])),
          totals: totals(list, fields),
          series: Object.fromEntries(fields.map((f) => [f, intervals.map((t) => totals(list.filter((x) => x.started >= t && x.started < t + interval), [f])[f])])),
        })),
      };
      return send(200, fake.override ? fake.override(body) : body);
    } catch (error) {
      if (error instanceof Bad) return send(400, { detail: error.message });
      throw error;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  fake.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

/**
 * The routes under /api/0/organizations/:org/ (see ../release-api.ts for the
 * list): one small handler per route. Who may call them (bearer token,
 * Host, origin) is decided before routing, for every read alike (../access.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { healthRows } from '@crashfree/release-health';
import { DeployInputError } from './deploys.js';
import { ParamError, parseDuration, parseSessionsParams } from './sessions-params.js';
import { buildSessionsResponse } from './sessions-response.js';
import type { ReleaseApiState } from './state.js';
import { answerIssues } from '../issues/routes.js';

/** HTTP helpers lent by the collector's server (keeps one error format). */
export interface RouteTools {
  readJson(): Promise<unknown>;
  sendJson(status: number, value: unknown): void;
  httpError(status: number, message: string): Error;
}

/** The collector's only project (DSN path /1), as the projects API lists it. */
const COLLECTOR_PROJECT = { id: '1', slug: 'default' };

const ORG_PATH = /^\/api\/0\/organizations\/([^/]+)\/(.*?)\/?$/;

function decode(part: string, tools: RouteTools): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw tools.httpError(400, `path: cannot decode ${JSON.stringify(part)}`);
  }
}

/** Routes one API request; false when no route matches. */
export async function handleApi(
  req: IncomingMessage,
  _res: ServerResponse,
  url: URL,
  state: () => ReleaseApiState,
  tools: RouteTools,
): Promise<boolean> {
  const m = ORG_PATH.exec(url.pathname);
  if (!m) return false;
  const org = decode(m[1] ?? '', tools);
  const rest = m[2] ?? '';
  const method = req.method ?? 'GET';
  try {
    if (rest === 'sessions') {
      if (method !== 'GET') throw tools.httpError(405, 'use GET');
      const request = parseSessionsParams(url.searchParams, state().now());
      tools.sendJson(200, buildSessionsResponse(request, state().index.query(request.query)));
      return true;
    }
    if (rest === 'projects') {
      if (method !== 'GET') throw tools.httpError(405, 'use GET');
      // The gate resolves the numeric ids of groupBy=project through this list, as on Sentry.
      tools.sendJson(200, [{ id: COLLECTOR_PROJECT.id, slug: COLLECTOR_PROJECT.slug, name: COLLECTOR_PROJECT.slug }]);
      return true;
    }
    const deploys = /^releases\/([^/]+)\/deploys$/.exec(rest);
    if (deploys) {
      const version = decode(deploys[1] ?? '', tools);
      if (method === 'GET') tools.sendJson(200, state().deploys.list(org, version));
      else if (method === 'POST') tools.sendJson(201, await state().deploys.add(org, version, await tools.readJson()));
      else throw tools.httpError(405, 'use GET or POST');
      return true;
    }
    if (rest === 'crashfree/releases') {
      if (method !== 'GET') throw tools.httpError(405, 'use GET');
      const periodText = url.searchParams.get('statsPeriod') ?? '24h';
      const period = parseDuration(periodText);
      if (!period) throw new ParamError(`statsPeriod: got ${JSON.stringify(periodText)}, expected a duration like 1h, 24h, 14d`);
      const environment = url.searchParams.get('environment');
      const s = state();
      const rows = healthRows(s.index, { start: s.now() - period, filter: environment ? { environment } : undefined });
      tools.sendJson(200, { rows, deploys: s.deploys.list(org), anomalies: s.index.stats() });
      return true;
    }
    if (rest === 'crashfree/crashes') {
      if (method !== 'GET') throw tools.httpError(405, 'use GET');
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 20) || 20));
      tools.sendJson(200, { crashes: state().crashes.latest(limit) });
      return true;
    }
    if (rest === 'issues' || rest.startsWith('issues/')) {
      if (method !== 'GET') throw tools.httpError(405, 'use GET');
      const answer = answerIssues(rest, url.searchParams, state().issues);
      if (answer) {
        if (answer.status >= 400) throw tools.httpError(answer.status, (answer.body as { detail: string }).detail);
        tools.sendJson(answer.status, answer.body);
        return true;
      }
    }
  } catch (error) {
    if (error instanceof ParamError || error instanceof DeployInputError || error instanceof RangeError) {
      throw tools.httpError(400, error.message);
    }
    throw error;
  }
  return false;
}

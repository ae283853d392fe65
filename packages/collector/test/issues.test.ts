import { describe, expect, it } from 'vitest';
import { IssueIndex } from '../src/issues/issue-index.js';
import { answerIssues } from '../src/issues/routes.js';
import type { StoredItem } from '../src/release-api.js';

const item = (payload: unknown, receivedAt = 1_000, type = 'event'): StoredItem => ({
  type,
  projectId: '1',
  headers: {},
  envelopeHeaders: { sdk: { name: 'crashfree.node' } },
  payload,
  receivedAt,
});
const crash = (release: string, fn: string, at: number, extra: Record<string, unknown> = {}) =>
  item({ release, level: 'fatal', exception: { values: [{ type: 'Error', value: `boom ${at}`, mechanism: { handled: false }, stacktrace: { frames: [{ filename: '/app/a.js', function: fn, lineno: at }] } }] }, ...extra }, at);
const session = (release: string, at: number) => item({ sid: String(at), init: true, status: 'ok', attrs: { release } }, at, 'session');

describe('issue index', () => {
  it('new in the release that first saw it, known when seen in the release before, regressed after a release without it', () => {
    const index = new IssueIndex();
    index.add(session('1.0', 1));
    index.add(crash('1.0', 'old', 2));
    index.add(session('1.1', 3));
    index.add(crash('1.1', 'fresh', 4));
    index.add(session('1.2', 5));
    index.add(crash('1.2', 'old', 6));
    index.add(crash('1.2', 'fresh', 7));
    const [old, fresh] = index.all();
    expect(['1.0', '1.1', '1.2'].map((r) => index.statusIn(old!, r))).toEqual(['new', undefined, 'regressed']);
    expect(['1.0', '1.1', '1.2'].map((r) => index.statusIn(fresh!, r))).toEqual([undefined, 'new', 'known']);
  });

  it('hostile events are skipped and counted, never thrown; good ones still group', () => {
    const index = new IssueIndex();
    const hostile: unknown[] = [
      null,
      'text',
      { exception: 'x' },
      { exception: { values: 'nope' } },
      { exception: { values: [{ stacktrace: { frames: 'nope' } }] } },
      { exception: { values: [{ stacktrace: { frames: [null, 3, { function: {} }] } }] } },
      { release: { toString: null }, user: { id: 5 }, contexts: 'x', exception: { values: [null] } },
    ];
    for (const h of hostile) expect(() => index.add(item(h))).not.toThrow();
    index.add(crash('1.0', 'f', 1));
    expect(index.all().some((i) => i.culprit === 'f (a.js)')).toBe(true);
    expect(answerIssues('issues', new URLSearchParams('sort=freq'), index, 2)?.status).toBe(200);
  });

  it('the API refuses unknown query terms, sorts and limits with a message naming them', () => {
    const index = new IssueIndex();
    expect(() => answerIssues('issues', new URLSearchParams('query=assigned:me'), index)).toThrow(/query: .*assigned:me/);
    expect(() => answerIssues('issues', new URLSearchParams('sort=random'), index)).toThrow(/sort: got "random"/);
    expect(() => answerIssues('issues', new URLSearchParams('limit=0'), index)).toThrow(/limit: got "0"/);
    expect(answerIssues('issues/77', new URLSearchParams(), index)?.status).toBe(404);
  });
});

// The page scope of the lite client: what setUser/setTag/... store and how it
// lands on events (Sentry's merge rules), and the lite API without a client.
import { describe, expect, it } from 'vitest';
import { addBreadcrumb, captureException, close, flush, getLiteScope, setContext, setExtra, setTag, setTags, setUser } from '@crashfree/core/lite';
import { applyLiteScope, createLiteScope } from '../src/lite-scope.js';

describe('lite scope', () => {
  it('fills user, tags, extra and contexts without overriding the event’s own values', () => {
    const scope = { ...createLiteScope(), user: { id: 'u1' }, tags: { a: '1', b: '2' }, extra: { x: 1 }, contexts: { app: { name: 'shop' } } };
    const event = applyLiteScope(scope, { tags: { b: 'own' }, extra: { y: 2 } });
    expect(event).toEqual({ user: { id: 'u1' }, tags: { a: '1', b: 'own' }, extra: { x: 1, y: 2 }, contexts: { app: { name: 'shop' } } });
  });

  it('applies a capture context to that event only; user, level and fingerprint replace, maps merge', () => {
    const scope = { ...createLiteScope(), user: { id: 'u1' }, tags: { a: '1' }, level: 'warning' as const };
    const once = applyLiteScope(scope, {}, { user: { id: 'u2' }, tags: { only: 'once' }, level: 'fatal', fingerprint: ['f'] });
    expect(once).toMatchObject({ user: { id: 'u2' }, tags: { a: '1', only: 'once' }, level: 'fatal', fingerprint: ['f'] });
    expect(applyLiteScope(scope, {})).toEqual({ user: { id: 'u1' }, tags: { a: '1' }, level: 'warning' });
  });

  it('appends its fingerprint and breadcrumbs to the event’s own; an empty scope adds nothing', () => {
    const scope = { ...createLiteScope(), fingerprint: ['{{ default }}', 'checkout'], breadcrumbs: [{ message: 'b', timestamp: 1 }] };
    const event = applyLiteScope(scope, { fingerprint: ['own'], breadcrumbs: [{ message: 'a', timestamp: 0 }] });
    expect(event.fingerprint).toEqual(['own', '{{ default }}', 'checkout']);
    expect(event.breadcrumbs?.map((b) => b.message)).toEqual(['a', 'b']);
    expect(applyLiteScope(createLiteScope(), {})).toEqual({});
  });

  it('the lite API writes the page scope: tags and extra merge, a context set to null goes, breadcrumbs keep the newest 100', () => {
    const scope = getLiteScope();
    setTag('a', '1');
    setTags({ b: '2' });
    setExtra('x', { deep: true });
    setContext('gone', { x: 1 });
    setContext('kept', { y: 2 });
    setContext('gone', null);
    for (let i = 0; i < 105; i++) addBreadcrumb({ message: `b${i}` });
    expect(scope.tags).toEqual({ a: '1', b: '2' });
    expect(scope.extra).toEqual({ x: { deep: true } });
    expect(scope.contexts).toEqual({ kept: { y: 2 } });
    expect(scope.breadcrumbs).toHaveLength(100);
    expect(scope.breadcrumbs[0]).toEqual({ message: 'b5', timestamp: expect.any(Number) });
    Object.assign(scope, createLiteScope());
  });

  it('the lite API without a client: ids come back, flush and close resolve, the scope still records', async () => {
    await close();
    expect(captureException(new Error('nobody listens'))).toMatch(/^[0-9a-f]{32}$/);
    expect(await flush(10)).toBe(true);
    setUser({ id: 'later' });
    setContext('page', { path: '/' });
    expect(applyLiteScope(getLiteScope(), {})).toMatchObject({ user: { id: 'later' }, contexts: { page: { path: '/' } } });
    setUser(null);
    setContext('page', null);
    expect(getLiteScope().user).toEqual({});
  });
});

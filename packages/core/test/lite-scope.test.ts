// The page scope of the lite client: what setUser/setTag/... store and how it
// lands on events (Sentry's merge rules), and the lite API without a client.
import { describe, expect, it } from 'vitest';
import { captureException, close, flush, getLiteScope, setContext, setUser } from '@crashfree/core/lite';
import { createLiteScope } from '../src/lite-scope.js';

describe('lite scope', () => {
  it('fills user, tags, extra and contexts without overriding the event’s own values', () => {
    const scope = createLiteScope();
    scope.setUser({ id: 'u1' });
    scope.setTags({ a: '1', b: '2' });
    scope.setExtra('x', 1);
    scope.setContext('app', { name: 'shop' });
    const event = scope.applyTo({ tags: { b: 'own' }, extra: { y: 2 } });
    expect(event).toEqual({ user: { id: 'u1' }, tags: { a: '1', b: 'own' }, extra: { x: 1, y: 2 }, contexts: { app: { name: 'shop' } } });
  });

  it('applies a capture context to that event only; user, level and fingerprint replace, maps merge', () => {
    const scope = createLiteScope();
    scope.setUser({ id: 'u1' });
    scope.setTag('a', '1');
    scope.setLevel('warning');
    const once = scope.applyTo({}, { user: { id: 'u2' }, tags: { only: 'once' }, level: 'fatal', fingerprint: ['f'] });
    expect(once).toMatchObject({ user: { id: 'u2' }, tags: { a: '1', only: 'once' }, level: 'fatal', fingerprint: ['f'] });
    expect(scope.applyTo({})).toEqual({ user: { id: 'u1' }, tags: { a: '1' }, level: 'warning' });
  });

  it('appends its fingerprint, keeps the newest breadcrumbs, and removes a context set to null', () => {
    const scope = createLiteScope();
    scope.setFingerprint(['{{ default }}', 'checkout']);
    for (let i = 0; i < 5; i++) scope.addBreadcrumb({ message: `b${i}`, timestamp: i }, 3);
    scope.setContext('gone', { x: 1 });
    scope.setContext('gone', null);
    const event = scope.applyTo({ fingerprint: ['own'] });
    expect(event.fingerprint).toEqual(['own', '{{ default }}', 'checkout']);
    expect(event.breadcrumbs?.map((b) => b.message)).toEqual(['b2', 'b3', 'b4']);
    expect(event.contexts).toBeUndefined();
    scope.clearBreadcrumbs();
    expect(scope.applyTo({}).breadcrumbs).toBeUndefined();
  });

  it('the lite API without a client: ids come back, flush and close resolve, the scope still records', async () => {
    await close();
    expect(captureException(new Error('nobody listens'))).toMatch(/^[0-9a-f]{32}$/);
    expect(await flush(10)).toBe(true);
    setUser({ id: 'later' });
    setContext('page', { path: '/' });
    expect(getLiteScope().applyTo({})).toMatchObject({ user: { id: 'later' }, contexts: { page: { path: '/' } } });
    setUser(null);
    setContext('page', null);
    expect(getLiteScope().getUser()).toBeUndefined();
  });
});

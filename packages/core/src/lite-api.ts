import type { Breadcrumb, CaptureContext, Context, EventHint, Primitive, ScopeContext, SeverityLevel, User } from '@sentry/core';
import { CAPTURE_CONTEXT_KEYS, createLiteScope, type LiteScope } from './lite-scope.js';
import type { LiteClient } from './lite-types.js';
import { uuid4 } from './uuid.js';

/**
 * The one global of the lite client, as Sentry's SDKs keep theirs: the
 * client `createLiteClient` bound last and the page's scope, so that
 * `captureException` or `setUser` called anywhere in the page reach them.
 * Nothing else in the lite path is module state.
 */
const current: { client?: LiteClient; scope?: LiteScope } = {};

/** Makes `client` the one the functions below talk to (`createLiteClient` calls it). */
export function bindLiteClient(client: LiteClient | undefined): void {
  current.client = client;
}

/** The client bound by the last `createLiteClient`, if any. */
export function getLiteClient(): LiteClient | undefined {
  return current.client;
}

/** The page's scope (created on first use): what `setUser`, `setTag`, ... write and every event gets. */
export function getLiteScope(): LiteScope {
  return (current.scope ??= createLiteScope());
}

/** A second argument that is a capture context (`{ tags, extra, user, ... }`) becomes `hint.captureContext`, as with @sentry/core. */
function toHint(hintOrContext: EventHint | CaptureContext | undefined): EventHint | undefined {
  if (!hintOrContext || typeof hintOrContext !== 'object') return undefined;
  const isContext = Object.keys(hintOrContext).some((k) => CAPTURE_CONTEXT_KEYS.includes(k));
  return isContext ? { captureContext: hintOrContext as Partial<ScopeContext> } : (hintOrContext as EventHint);
}

/**
 * Reports a handled error (counted into the page session at once) and returns
 * its event id; the second argument is an event hint or a capture context
 * applied to this event only. Without a bound client only an id comes back.
 */
export function captureException(exception: unknown, hintOrContext?: EventHint | CaptureContext): string {
  return current.client?.captureException(exception, toHint(hintOrContext)) ?? uuid4();
}

/** Sends a message event (`level` default `info`; a `fatal` message ends the session `crashed`); returns its event id. */
export function captureMessage(message: string, levelOrContext?: SeverityLevel | CaptureContext): string {
  const level = typeof levelOrContext === 'string' ? levelOrContext : undefined;
  return current.client?.captureMessage(message, level, typeof levelOrContext === 'string' ? undefined : toHint(levelOrContext)) ?? uuid4();
}

/** Sets (null clears) the user of every later event; its `id` becomes the session's `did` (hashed with `hashUserId`). */
export function setUser(user: User | null): void {
  getLiteScope().user = user ?? {};
  current.client?.didChanged();
}

/** Sets one tag on every later event. */
export function setTag(key: string, value: Primitive): void {
  setTags({ [key]: value });
}

/** Sets several tags on every later event. */
export function setTags(tags: Record<string, Primitive>): void {
  const scope = getLiteScope();
  scope.tags = { ...scope.tags, ...tags };
}

/** Sets one extra value on every later event. */
export function setExtra(key: string, value: unknown): void {
  const scope = getLiteScope();
  scope.extra = { ...scope.extra, [key]: value };
}

/** Sets (null removes) one named context on every later event. */
export function setContext(name: string, context: Context | null): void {
  const scope = getLiteScope();
  const { [name]: _, ...rest } = scope.contexts;
  scope.contexts = context === null ? rest : { ...rest, [name]: context };
}

/** Records a breadcrumb for later events; the client's `beforeBreadcrumb` may change or drop it, `maxBreadcrumbs` (default 100) bounds them. */
export function addBreadcrumb(breadcrumb: Breadcrumb): void {
  const options = current.client?.getOptions();
  const before = options?.beforeBreadcrumb;
  const kept = before ? before({ timestamp: Date.now() / 1000, ...breadcrumb }) : breadcrumb;
  const max = options?.maxBreadcrumbs ?? 100;
  const scope = getLiteScope();
  if (kept && max > 0) scope.breadcrumbs = [...scope.breadcrumbs, { timestamp: Date.now() / 1000, ...kept }].slice(-max);
}

/** Waits until what was captured is sent or persisted for later (up to `timeout` ms); true when nothing is left waiting. */
export function flush(timeout?: number): Promise<boolean> {
  return current.client?.flush(timeout) ?? Promise.resolve(true);
}

/** Ends the session `exited`, flushes, stops the bound client and unbinds it. */
export async function close(timeout?: number): Promise<boolean> {
  const client = current.client;
  current.client = undefined;
  return client ? client.close(timeout) : true;
}

import { getCurrentScope, getGlobalScope, getIsolationScope } from '@sentry/core';
import { sha256Hex, sha256HexSync } from './sha256.js';

/**
 * The session `did` (distinct user id) from the user set on the scopes
 * (current, then isolation, then global): the id itself, or its SHA-256 hex
 * when `hash` is on. The last hash is cached so sending does not rehash.
 */
export class DidResolver {
  private cached: { id: string; hash: string } | undefined;

  public constructor(private readonly hash: boolean) {}

  /** The did, or undefined when no user id is known. */
  public async get(): Promise<string | undefined> {
    const id = userId();
    if (id === undefined || !this.hash) return id;
    if (this.cached?.id !== id) this.cached = { id, hash: await sha256Hex(id) };
    return this.cached.hash;
  }

  /** Synchronous form for the fatal path (pure-TS hash; same value as `get`). */
  public getSync(): string | undefined {
    const id = userId();
    if (id === undefined || !this.hash) return id;
    if (this.cached?.id !== id) this.cached = { id, hash: sha256HexSync(id) };
    return this.cached.hash;
  }
}

function userId(): string | undefined {
  const id = getCurrentScope().getUser()?.id ?? getIsolationScope().getUser()?.id ?? getGlobalScope().getUser()?.id;
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

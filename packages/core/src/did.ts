import { webCryptoSha256Hex } from './webcrypto.js';

/**
 * The session `did` (distinct user id) from the current user's id (`userId`,
 * read from the client's scopes at each call): the id itself, or its SHA-256 hex
 * when `hash` is on — through WebCrypto, or `hashSync` (the pure-TS hash a
 * platform hands in). The last hash is cached so sending does not rehash.
 * With hashing on and no way to hash, the did is left out (one warning):
 * an id the user asked to hash is never sent in the clear.
 */
export class DidResolver {
  private cached: { id: string; hash: string } | undefined;
  private warned = false;

  public constructor(
    private readonly hash: boolean,
    private readonly hashSync: ((text: string) => string) | undefined,
    private readonly logger: Pick<Console, 'warn'>,
    private readonly userId: () => unknown,
  ) {}

  /** The did, or undefined when no user id is known (or it cannot be hashed). */
  public async get(): Promise<string | undefined> {
    const id = this.currentId();
    if (id === undefined || !this.hash) return id;
    if (this.cached?.id !== id) {
      const hash = (await webCryptoSha256Hex(id)) ?? this.hashSync?.(id);
      if (hash === undefined) return this.unhashable();
      this.cached = { id, hash };
    }
    return this.cached.hash;
  }

  /** Synchronous form for the fatal path (same value as `get`; the cached hash when no sync hasher was handed in). */
  public getSync(): string | undefined {
    const id = this.currentId();
    if (id === undefined || !this.hash) return id;
    if (this.cached?.id === id) return this.cached.hash;
    if (!this.hashSync) return undefined;
    this.cached = { id, hash: this.hashSync(id) };
    return this.cached.hash;
  }

  private currentId(): string | undefined {
    const id = this.userId();
    return id === undefined || id === null || id === '' ? undefined : String(id);
  }

  private unhashable(): undefined {
    if (!this.warned) this.logger.warn('[crashfree] hashUserId: no SHA-256 here (no WebCrypto); sessions are sent without did.');
    this.warned = true;
    return undefined;
  }
}

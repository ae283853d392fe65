import { webCryptoSha256Hex } from './webcrypto.js';

/** The session `did` of the current user (see `createDidResolver`). */
export interface DidResolver {
  /** The did, or undefined when no user id is known (or it cannot be hashed). */
  get(): Promise<string | undefined>;
  /** Synchronous form for the fatal path (same value as `get`; the cached hash when no sync hasher was handed in). */
  getSync(): string | undefined;
}

/**
 * The session `did` (distinct user id) from the current user's id (`userId`,
 * read from the client's scopes at each call): the id itself, or its SHA-256 hex
 * when `hash` is on — through WebCrypto, or `hashSync` (the pure-TS hash a
 * platform hands in). The last hash is cached so sending does not rehash.
 * With hashing on and no way to hash, the did is left out (one warning):
 * an id the user asked to hash is never sent in the clear.
 */
export function createDidResolver(
  hash: boolean,
  hashSync: ((text: string) => string) | undefined,
  logger: Pick<Console, 'warn'>,
  userId: () => unknown,
): DidResolver {
  let cached: { id: string; hash: string } | undefined;
  let warned = false;
  const currentId = (): string | undefined => {
    const id = userId();
    return id === undefined || id === null || id === '' ? undefined : String(id);
  };
  return {
    async get() {
      const id = currentId();
      if (id === undefined || !hash) return id;
      if (cached?.id !== id) {
        const hex = (await webCryptoSha256Hex(id)) ?? hashSync?.(id);
        if (hex === undefined) {
          if (!warned) logger.warn('[crashfree] hashUserId: no SHA-256 here (no WebCrypto); sessions are sent without did.');
          warned = true;
          return undefined;
        }
        cached = { id, hash: hex };
      }
      return cached.hash;
    },
    getSync() {
      const id = currentId();
      if (id === undefined || !hash) return id;
      if (cached?.id === id) return cached.hash;
      if (!hashSync) return undefined;
      cached = { id, hash: hashSync(id) };
      return cached.hash;
    },
  };
}

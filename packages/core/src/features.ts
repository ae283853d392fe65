import { captureFatal } from './fatal.js';
import { RequestAggregator, type RequestAggregatorContext } from './request-sessions.js';
import { sha256HexSync } from './sha256.js';

/**
 * The optional parts of the engine, handed to the client by the platform so
 * that a bundler drops what a platform never uses (the browser has no fatal
 * process path and no request mode). `createClient` passes them all;
 * `createClientWith` passes what the platform names. A part that is missing
 * degrades as documented on each field; it never throws.
 */
export interface CoreFeatures {
  /**
   * The synchronous fatal path behind `captureFatalSync` (crash record via
   * `store.setSync`). Without it, `captureFatalSync` still ends the session
   * `crashed` synchronously and sends the event through `captureException`.
   */
  fatal?: typeof captureFatal;
  /** Request mode (`sessionMode: 'request'`). Without it that option is refused at init with a clear message. */
  requestMode?: (ctx: RequestAggregatorContext) => RequestAggregator;
  /**
   * Synchronous SHA-256 hex for `hashUserId` where no promise can wait (the
   * fatal path) or WebCrypto is missing. Without it, `did` is hashed with
   * WebCrypto; where that is missing too, `did` is left out (never sent
   * unhashed) with one warning.
   */
  sha256HexSync?: (text: string) => string;
}

/** Every optional part: what `createClient` gives a client (Node, React Native, tests). */
export const ALL_FEATURES: Required<CoreFeatures> = {
  fatal: captureFatal,
  requestMode: (ctx) => new RequestAggregator(ctx),
  sha256HexSync,
};

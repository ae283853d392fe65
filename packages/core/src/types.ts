import type { Attachment, Event, EventHint, SeverityLevel } from '@sentry/core';

/**
 * The platform contract of @crashfree/core. A platform package (node,
 * browser, react-native) supplies these small pieces; the core owns the
 * logic. Changing a shape here is a cross-package change: update API.md and
 * every platform in the same commit.
 */

/** A value a Store keeps: text (JSON, serialized envelopes) or bytes (envelopes with binary attachments). */
export type StoreValue = string | Uint8Array;

/**
 * Key-value persistence supplied by the platform (files on Node, IndexedDB in
 * the browser, AsyncStorage/MMKV on React Native). Keys are `/`-separated
 * ASCII paths such as `session/<sid>` or `queue/<time>-<id>`.
 * Every implementation must pass `runStoreContract` from `@crashfree/core/testing`.
 */
export interface Store {
  /** The value under `key`, or undefined when absent or unreadable (corrupt entries are skipped, never thrown). */
  get(key: string): Promise<StoreValue | undefined>;
  /** Durably replaces the value under `key` (atomic: a reader sees the old or the new value, never a mix). */
  set(key: string, value: StoreValue): Promise<void>;
  /** Removes `key`; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** All keys starting with `prefix` (all keys when omitted), sorted ascending. */
  keys(prefix?: string): Promise<string[]>;
  /**
   * Optional synchronous durable write, for crash paths where the process is
   * about to die and no promise will ever resolve (Node: write + fsync + rename).
   */
  setSync?(key: string, value: StoreValue): void;
  /**
   * Optional cheap synchronous write: like `set`, done when it returns
   * against the death of the process (SIGKILL, OOM, a native crash), though
   * not yet against a power loss, which `set`'s durability reaches shortly
   * after in the background. Cheap enough for every captured event (Node:
   * one append to the run's journal, no fsync). The queue writes through it
   * when present, so an event is persisted when `captureException` returns.
   */
  appendSync?(key: string, value: StoreValue): void;
  /**
   * Optional: `setSync` for writes on init's path (the session record), which
   * need only survive the process's death — the OS page cache — when it
   * returns; durability against power loss follows in the background (Node:
   * write + rename now, fsync of file and directory after). Used instead of
   * `setSync` for session records when present.
   */
  setSyncCached?(key: string, value: StoreValue): void;
}

/** JSON-serializable marker identifying the run (process, tab, app launch) that owns a session. */
export type OwnerMarker = Record<string, string | number | boolean | null>;

/** Tells whether the run that owned a persisted session is still alive. */
export interface Liveness {
  /** The marker of the current run, persisted with every session it owns. */
  owner(): OwnerMarker;
  /**
   * Whether the run identified by `owner` is alive now. Must be false for a
   * recycled identity (a reused pid with another start time) and must never
   * be true for a run that is gone.
   */
  isAlive(owner: OwnerMarker): Promise<boolean>;
}

/** One HTTP request the core wants sent: an envelope POST. */
export interface TransportHttpRequest {
  url: string;
  body: string | Uint8Array;
  headers: Record<string, string>;
}

/** What came back; a network failure rejects the promise instead. */
export interface TransportHttpResponse {
  statusCode: number;
  /** Lower-cased header names; at least `retry-after` and `x-sentry-rate-limits` when present. */
  headers: Record<string, string | null | undefined>;
}

/** Sends one request (Node: http/https; browser: fetch with keepalive; RN: fetch). */
export type RequestExecutor = (request: TransportHttpRequest) => Promise<TransportHttpResponse>;

/** The pieces a platform hands to `createClient`. */
export interface Platform {
  /** Event `platform` field and session attribute (`node`, `javascript`, ...). */
  name: string;
  /** SDK identity sent in envelope headers and `event.sdk`. */
  sdk: { name: string; version: string };
  store: Store;
  makeRequest: RequestExecutor;
  liveness: Liveness;
  /** Builds an event from a thrown value using the platform's stack parser. */
  eventFromException(exception: unknown, hint?: EventHint): PromiseLike<Event>;
  /** Builds an event from a message. */
  eventFromMessage(message: string, level?: SeverityLevel, hint?: EventHint): PromiseLike<Event>;
  /** Debug/warning output; defaults to console. The core never throws at the user from background work. */
  logger?: Pick<Console, 'log' | 'warn' | 'error'>;
}

/**
 * A crash found outside the core's own crash records, handed to recovery on
 * the next launch: a native crash record + minidump, a V8 fatal-error report,
 * a React Native native crash.
 */
export interface ExternalCrash {
  /** The session the crash belongs to, when known; it is then ended `crashed`. */
  sid?: string;
  /** The fatal event, fully built by the platform (exception, mechanism, contexts). */
  event: Event;
  /** Attachments sent in the same envelope, e.g. `{ attachmentType: 'event.minidump' }`. */
  attachments?: Attachment[];
  /** Called once the backend accepted the event; deletes the platform's files. */
  onDelivered?: () => Promise<void> | void;
}

/**
 * How a session ends if its run dies without ending it, as far as the
 * platform knows: e.g. React Native ended its foreground period cleanly
 * (`exited` at the time it went to the background), or Node's watchdog saw
 * the process die while blocked (`abnormal` with `anr_foreground`). A crash
 * record always wins over it.
 */
export interface SessionEndHint {
  status: 'exited' | 'abnormal';
  /** When the session ended (epoch ms); defaults to its last persisted transition. */
  at?: number;
  /** Sentry's `abnormal_mechanism` (with `abnormal` only), e.g. `anr_foreground`. */
  mechanism?: string;
}

/** A `SessionEndHint` for a previous run's session `sid`, handed to `client.start({ sessionEnds })`. */
export interface SessionEnd extends SessionEndHint {
  sid: string;
}

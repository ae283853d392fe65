import type { SerializedSession, SessionStatus } from '@sentry/core';
import type { OwnerMarker, SessionEndHint } from './types.js';

/**
 * What is persisted under `session/<sid>` for every application-mode session
 * transition: enough for the next launch to send the one terminal update.
 * Times are epoch milliseconds.
 */
export interface PersistedSession {
  v: 1;
  sid: string;
  did?: string;
  started: number;
  /** Time of the last transition (or last persisted error count). */
  timestamp: number;
  status: SessionStatus;
  errors: number;
  /** seq of the last update handed to the queue. */
  seq: number;
  /** Whether the `init: true` update has reached the durable queue. */
  initQueued: boolean;
  release?: string;
  environment: string;
  owner: OwnerMarker;
  /** Sentry's `abnormal_mechanism`, sent with an `abnormal` status. */
  abnormalMechanism?: string;
  /** How recovery ends this session if its run dies without a crash (set by the platform, e.g. on background). */
  pendingEnd?: SessionEndHint;
}

/** A session update as sent: Sentry's serialized session plus the monotonic `seq`. */
export type SessionItem = SerializedSession & { seq: number };

/** Store key of a persisted session. */
export const sessionKey = (sid: string): string => `session/${sid}`;

/**
 * The wire form of `state`, a session update as Sentry's protocol defines it
 * (https://develop.sentry.dev/sdk/telemetry/sessions/): ISO times, duration
 * in seconds, release and environment under `attrs`, plus our `seq`.
 */
export function toSessionItem(state: PersistedSession, init: boolean): SessionItem {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    sid: state.sid,
    init,
    started: iso(state.started),
    timestamp: iso(state.timestamp),
    status: state.status,
    errors: state.errors,
    did: state.did,
    duration: Math.max(0, (state.timestamp - state.started) / 1000),
    abnormal_mechanism: state.status === 'abnormal' ? state.abnormalMechanism : undefined,
    attrs: { release: state.release, environment: state.environment },
    seq: state.seq,
  } as SessionItem;
}

/** Parses a persisted session; undefined when the text is not one (corrupt entries are skipped by callers). */
export function parsePersistedSession(text: unknown): PersistedSession | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const s = JSON.parse(text) as Partial<PersistedSession>;
    const ok =
      s.v === 1 &&
      typeof s.sid === 'string' &&
      typeof s.started === 'number' &&
      typeof s.timestamp === 'number' &&
      typeof s.status === 'string' &&
      typeof s.errors === 'number' &&
      typeof s.seq === 'number' &&
      typeof s.initQueued === 'boolean' &&
      typeof s.environment === 'string' &&
      typeof s.owner === 'object' &&
      s.owner !== null;
    return ok ? (s as PersistedSession) : undefined;
  } catch {
    return undefined;
  }
}

/** Builders for hand-computed session fixtures. */
import type { SessionIndex, SessionUpdate } from '../src/index.js';

export const T0 = Date.parse('2026-11-20T10:00:00Z');

export interface SessionSpec {
  sid: string;
  did?: string;
  release: string;
  environment?: string;
  end: 'exited' | 'crashed' | 'abnormal' | 'ok';
  errors?: number;
  startedMs?: number;
}

/** The init update and (unless the session never ends) the terminal update. */
export function updatesFor(s: SessionSpec): SessionUpdate[] {
  const started = new Date(s.startedMs ?? T0).toISOString();
  const attrs = { release: s.release, environment: s.environment ?? 'production' };
  const base = { sid: s.sid, did: s.did, started, attrs };
  const init: SessionUpdate = { ...base, init: true, seq: 0, status: 'ok', errors: 0 };
  if (s.end === 'ok') return [init];
  return [init, { ...base, seq: 1, status: s.end, errors: s.errors ?? 0, duration: 5 }];
}

/** Feeds sessions into an index with a platform/project. */
export function feed(index: SessionIndex, specs: SessionSpec[], platform = 'node', project = '1'): void {
  for (const s of specs) for (const u of updatesFor(s)) index.addSession(u, { platform, project });
}

/** `total` sessions of `release`, the first `crashed` of which crash; every session its own user. */
export function population(release: string, total: number, crashed: number, prefix = release): SessionSpec[] {
  return Array.from({ length: total }, (_, i) => ({
    sid: `${prefix}-s${i}`,
    did: `${prefix}-u${i}`,
    release,
    end: i < crashed ? 'crashed' : 'exited',
  }));
}

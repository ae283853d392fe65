import type { Event } from '@sentry/core';

/** Whether an event is unhandled/fatal: it ends the session `crashed` and is never sampled. */
export function isUnhandledEvent(event: Event): boolean {
  if (event.level === 'fatal') return true;
  return event.exception?.values?.some((ex) => ex.mechanism?.handled === false) ?? false;
}

/** The grouping key the budget and spike guard count by: the event's fingerprint, else type + value + top frame. */
export function fingerprintOf(event: Event): string {
  if (event.fingerprint && event.fingerprint.length > 0) return event.fingerprint.join('\u0000');
  const ex = event.exception?.values?.[event.exception.values.length - 1];
  if (ex) {
    const frames = ex.stacktrace?.frames;
    const top = frames?.[frames.length - 1];
    const where = top ? `${top.filename ?? top.module ?? ''}:${top.function ?? ''}:${top.lineno ?? ''}` : '';
    return `${ex.type ?? ''}\u0000${ex.value ?? ''}\u0000${where}`;
  }
  return `message\u0000${event.message ?? event.logentry?.message ?? ''}`;
}

/** Why a handled error is not sent (the client-report reason). */
export type PolicyDrop = 'sample_rate' | 'spike_protection';

/** Settings of the event policy. */
export interface PolicyOptions {
  sampleRate: number;
  fingerprintBudget: number;
  spikeLimitPerMinute: number;
  now: () => number;
  random: () => number;
  /** Most fingerprints tracked; the least recently seen are forgotten beyond it, bounding memory. */
  maxFingerprints?: number;
}

interface Counter {
  total: number;
  minute: number;
  inMinute: number;
}

/**
 * Decides which events are sent. Unhandled/fatal events always are. Handled
 * errors: the first `fingerprintBudget` of each fingerprint are kept; after
 * that a per-fingerprint spike guard caps each minute, then `sampleRate`
 * applies. Session accounting never depends on this decision.
 */
export class EventPolicy {
  private readonly seen = new Map<string, Counter>();
  private readonly max: number;

  public constructor(private readonly opts: PolicyOptions) {
    this.max = opts.maxFingerprints ?? 1000;
  }

  /** undefined to send the event, else the drop reason. */
  public decide(event: Event, unhandled: boolean): PolicyDrop | undefined {
    if (unhandled) return undefined;
    const key = fingerprintOf(event);
    const minute = Math.floor(this.opts.now() / 60_000);
    let c = this.seen.get(key);
    if (c) {
      this.seen.delete(key); // re-insert: Map order is the LRU order
    } else {
      c = { total: 0, minute, inMinute: 0 };
      if (this.seen.size >= this.max) {
        const oldest = this.seen.keys().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
    }
    this.seen.set(key, c);
    if (c.minute !== minute) {
      c.minute = minute;
      c.inMinute = 0;
    }
    c.total += 1;
    c.inMinute += 1;
    if (c.total <= this.opts.fingerprintBudget) return undefined;
    if (c.inMinute > this.opts.spikeLimitPerMinute) return 'spike_protection';
    if (this.opts.sampleRate < 1 && this.opts.random() >= this.opts.sampleRate) return 'sample_rate';
    return undefined;
  }
}

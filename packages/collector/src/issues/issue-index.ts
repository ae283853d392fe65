/**
 * The collector's issues: error events grouped by the fingerprint contract
 * (@crashfree/release-health's `fingerprintOf`, the SDK's own definition),
 * each issue holding only compact counts — events, crashed sessions, users
 * and segment counts per release and environment — never an event payload.
 * Built by feeding every stored item in arrival order (so ids are the same
 * after a restart) and kept current by subscription, like the session index.
 *
 * A crash event (fatal, or an unhandled mechanism) ends exactly one session
 * as crashed, so an issue's crashed sessions in a release are its crash
 * events there (storage already drops resent duplicates).
 */
import { fingerprintOf, FINGERPRINT_VERSION, type FingerprintEvent } from '@crashfree/release-health';
import type { StoredItem } from '../release-api.js';
import { isCrash } from '../release-api/crashes.js';
import { platformOf } from '../release-api/feed.js';
import { SEGMENT_KEYS, segmentsOf, topFramesOf, type TopFrame } from './event-parts.js';

/** Distinct users remembered per issue and release; beyond it the count is a lower bound (`usersCapped`). */
const MAX_USERS = 10_000;
/** Distinct values remembered per segment key and issue; the rest count as "other". */
const MAX_SEGMENT_VALUES = 50;

/** Counts of one issue in one release and environment. */
export interface IssueCell {
  release: string;
  environment: string;
  events: number;
  crashedSessions: number;
  users: Set<string>;
  firstSeen: number;
  lastSeen: number;
}

/** One issue: identity, what it looks like, and its counts. */
export interface Issue {
  /** Sentry-style numeric id, in order of first appearance. */
  id: string;
  /** The fingerprint key (contract version `fingerprintVersion`). */
  fingerprint: string;
  fingerprintVersion: number;
  /** `Type: message` of the first event, bounded. */
  title: string;
  type: string;
  /** The innermost in-app frame as `function (path)`, lines left out: it is the same across releases. */
  culprit: string;
  level: string;
  platform: string;
  /** Frames of the latest event, innermost first (at most 5), with lines: what the page shows. */
  topFrames: TopFrame[];
  firstSeen: number;
  lastSeen: number;
  firstRelease: string | null;
  cells: Map<string, IssueCell>;
  /** Segment key -> value -> events (crash events for crash issues). */
  segments: Map<string, Map<string, number>>;
  usersCapped: boolean;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The issues of one collector. */
export class IssueIndex {
  private readonly byFingerprint = new Map<string, Issue>();
  private readonly byId = new Map<string, Issue>();
  /** First time each release was seen (sessions or events): the release order for new / regressed. */
  private readonly releaseFirstSeen = new Map<string, number>();

  /** Events whose shape defeated grouping (counted, never thrown: ingest must not fail because of issues). */
  skipped = 0;

  /** Feeds one stored item: events become issue counts; sessions only mark their release as seen. Never throws. */
  add(item: StoredItem): void {
    try {
      this.addItem(item);
    } catch {
      this.skipped += 1;
    }
  }

  private addItem(item: StoredItem): void {
    const payload = item.payload as Json | undefined;
    if (!payload || typeof payload !== 'object') return;
    if (item.type === 'session' || item.type === 'sessions') {
      const release = str((payload['attrs'] as Json | undefined)?.['release']);
      if (release) this.seeRelease(release, item.receivedAt);
      return;
    }
    if (item.type === 'event') this.addEvent(payload, item);
  }

  private seeRelease(release: string, at: number): void {
    const known = this.releaseFirstSeen.get(release);
    if (known === undefined || at < known) this.releaseFirstSeen.set(release, at);
  }

  private addEvent(event: Json, item: StoredItem): void {
    if (event['type'] !== undefined && event['type'] !== 'error' && event['type'] !== 'default') return;
    const fingerprint = fingerprintOf(event as FingerprintEvent);
    const release = str(event['release']) ?? '(no release)';
    const environment = str(event['environment']) ?? 'production';
    const at = item.receivedAt;
    this.seeRelease(release, at);
    const platform = platformOf(item.envelopeHeaders);
    let issue = this.byFingerprint.get(fingerprint);
    if (!issue) {
      issue = newIssue(String(this.byId.size + 1), fingerprint, event, platform, release, at);
      this.byFingerprint.set(fingerprint, issue);
      this.byId.set(issue.id, issue);
    }
    issue.lastSeen = Math.max(issue.lastSeen, at);
    issue.topFrames = topFramesOf(event);
    const cellKey = `${release}\u0000${environment}`;
    let cell = issue.cells.get(cellKey);
    if (!cell) {
      cell = { release, environment, events: 0, crashedSessions: 0, users: new Set(), firstSeen: at, lastSeen: at };
      issue.cells.set(cellKey, cell);
    }
    cell.events += 1;
    if (isCrash(event)) cell.crashedSessions += 1;
    cell.lastSeen = Math.max(cell.lastSeen, at);
    const user = event['user'] as Json | undefined;
    const userId = str(user?.['id']) ?? str(user?.['email']) ?? str(user?.['ip_address']);
    if (userId) {
      if (cell.users.size < MAX_USERS) cell.users.add(userId);
      else if (!cell.users.has(userId)) issue.usersCapped = true;
    }
    for (const [key, value] of Object.entries(segmentsOf(event, platform))) {
      let values = issue.segments.get(key);
      if (!values) issue.segments.set(key, (values = new Map()));
      const slot = values.has(value) || values.size < MAX_SEGMENT_VALUES ? value : 'other';
      values.set(slot, (values.get(slot) ?? 0) + 1);
    }
  }

  /** The issue with this id. */
  get(id: string): Issue | undefined {
    return this.byId.get(id);
  }

  /** Every issue, in order of first appearance. */
  all(): Issue[] {
    return [...this.byId.values()];
  }

  /** Releases in the order they were first seen. */
  releases(): string[] {
    return [...this.releaseFirstSeen.entries()].sort((a, b) => a[1] - b[1]).map(([r]) => r);
  }

  /**
   * What the issue is in `release`: `new` (first seen in it), `regressed`
   * (seen in an earlier release, then absent from at least one release in
   * between), `known` (seen in the release just before too), or undefined
   * when it was not seen in `release` at all.
   */
  statusIn(issue: Issue, release: string, environment?: string): 'new' | 'known' | 'regressed' | undefined {
    const seenIn = new Set([...issue.cells.values()].filter((c) => environment === undefined || c.environment === environment).map((c) => c.release));
    if (!seenIn.has(release)) return undefined;
    const order = this.releases();
    const at = order.indexOf(release);
    let last = -1;
    for (let i = 0; i < at; i++) if (seenIn.has(order[i]!)) last = i;
    if (last < 0) return 'new';
    return last === at - 1 ? 'known' : 'regressed';
  }
}

function newIssue(id: string, fingerprint: string, event: Json, platform: string, release: string, at: number): Issue {
  const values = (event['exception'] as Json | undefined)?.['values'];
  const ex = Array.isArray(values) ? (values[values.length - 1] as Json | undefined) : undefined;
  const type = str(ex?.['type']) ?? 'message';
  const message = str(ex?.['value']) ?? str(event['message']) ?? str((event['logentry'] as Json | undefined)?.['message']) ?? '';
  // The culprit comes from the contract's own frames (without a user fingerprint), so it matches across releases.
  const parts = JSON.parse(fingerprintOf({ ...(event as FingerprintEvent), fingerprint: undefined })) as string[];
  const inner = ex && parts.length > 1 ? parts[parts.length - 1]! : '';
  const colon = inner.lastIndexOf(':');
  // A frame without a function name (top-level module code) is named by its file alone.
  const fn = inner.slice(colon + 1);
  const culprit = !inner ? '' : fn && fn !== 'undefined' ? `${fn} (${inner.slice(0, colon)})` : inner.slice(0, colon);
  return {
    id,
    fingerprint,
    fingerprintVersion: FINGERPRINT_VERSION,
    title: (ex ? (message ? `${type}: ${message}` : type) : message || 'event').slice(0, 200),
    type,
    culprit,
    level: str(event['level']) ?? 'error',
    platform,
    topFrames: [],
    firstSeen: at,
    lastSeen: at,
    firstRelease: release,
    cells: new Map(),
    segments: new Map(SEGMENT_KEYS.map((k) => [k, new Map()])),
    usersCapped: false,
  };
}

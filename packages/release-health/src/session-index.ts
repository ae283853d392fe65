/**
 * The incremental release-health index: feed it `session` updates and
 * `sessions` aggregates in any order (duplicates and out-of-order updates
 * included) and query counts and rates at any time. Ingest is O(1) per item;
 * queries scan per-minute cells, not sessions.
 */
import { applyContribution, minuteOf, newCell, type Cell, type Contribution } from './cells.js';
import { runQuery, type HealthQuery, type HealthResult } from './query.js';
import type { InputMeta, SessionAggregates, SessionOutcome, SessionUpdate } from './types.js';

/** What happened to one ingested update. */
export type IngestResult = 'applied' | 'duplicate' | 'stale' | 'invalid';

/** Counters of input that was not taken at face value. */
export interface IndexStats {
  /** Distinct sessions counted (init seen). */
  sessions: number;
  /** Session updates ingested (all of them, including the ignored ones). */
  updates: number;
  /** Aggregate buckets ingested. */
  aggregateBuckets: number;
  /** Same sid and seq seen again: ignored. */
  duplicates: number;
  /** Older seq than already applied (out of order): ignored except a late init. */
  stale: number;
  /** Payloads without sid/release or with an unusable shape: ignored. */
  invalid: number;
  /** Sessions with updates but no `init: true` update: not counted (anomaly). */
  withoutInit: number;
  /** Sessions whose updates never named a release: not counted (anomaly). */
  withoutRelease: number;
}

interface SessionState {
  order: number;
  status: string;
  errors: number;
  initSeen: boolean;
  user: number | null;
  dims: DimSet | null;
  started: number;
  cell: Cell | null;
  contribution: Contribution | null;
}

const TERMINAL = new Set(['exited', 'crashed', 'abnormal', 'errored']);

/** One interned (project, release, environment, platform), shared by its sessions and cells. */
interface DimSet {
  dims: readonly [string, string, string, string];
  key: string;
}

/** Parses an ISO string or a number (seconds or ms since the epoch) into ms. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string' && value !== '') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function outcomeOf(status: string, errors: number): SessionOutcome {
  if (status === 'crashed') return 'crashed';
  if (status === 'abnormal') return 'abnormal';
  if (status === 'errored' || errors > 0) return 'errored';
  return 'healthy';
}

/** Incremental index of session health; one per collector (or per computation). */
export class SessionIndex {
  private readonly sessions = new Map<string, SessionState>();
  private readonly cells = new Map<string, Cell>();
  /** User ids interned to small numbers so queries can merge users in typed arrays. */
  private readonly users = new Map<string, number>();
  private readonly dimSets = new Map<string, DimSet>();
  private readonly counters = { updates: 0, aggregateBuckets: 0, duplicates: 0, stale: 0, invalid: 0 };

  /** Ingests one `session` item payload. Never throws on bad input. */
  addSession(update: SessionUpdate, meta: InputMeta = {}): IngestResult {
    this.counters.updates++;
    if (!update || typeof update.sid !== 'string' || update.sid === '') return this.invalid();
    const order = typeof update.seq === 'number' ? update.seq : (parseTime(update.timestamp) ?? 0);
    const status = typeof update.status === 'string' ? update.status : 'ok';
    const errors = typeof update.errors === 'number' && update.errors > 0 ? update.errors : 0;
    let state = this.sessions.get(update.sid);
    if (!state) {
      state = {
        order: Number.NEGATIVE_INFINITY,
        status: 'ok',
        errors: 0,
        initSeen: false,
        user: null,
        dims: null,
        started: 0,
        cell: null,
        contribution: null,
      };
      this.sessions.set(update.sid, state);
    }
    const release = update.attrs?.release;
    if (!state.dims && typeof release === 'string' && release !== '') {
      state.dims = this.dimSet([meta.project ?? '0', release, String(update.attrs?.environment ?? 'production'), meta.platform ?? 'unknown']);
    }
    if (state.user === null && typeof update.did === 'string' && update.did !== '') state.user = this.intern(update.did);
    if (update.init === true || !state.started) {
      state.started = parseTime(update.started) ?? meta.receivedAt ?? Date.now();
    }
    let result: IngestResult;
    if (order === state.order) {
      this.counters.duplicates++;
      result = 'duplicate';
    } else if (order < state.order) {
      this.counters.stale++;
      result = 'stale';
    } else {
      state.order = order;
      // A terminal status is final: a later `ok` cannot resurrect the session.
      if (!TERMINAL.has(state.status)) state.status = status;
      state.errors = Math.max(state.errors, errors);
      result = 'applied';
    }
    if (update.init === true) state.initSeen = true;
    this.recount(state);
    return result;
  }

  /** Ingests one `sessions` (request-mode aggregates) item payload. */
  addAggregates(payload: SessionAggregates, meta: InputMeta = {}): IngestResult {
    const release = payload?.attrs?.release;
    if (typeof release !== 'string' || release === '' || !Array.isArray(payload.aggregates)) return this.invalid();
    const environment = String(payload.attrs?.environment ?? 'production');
    for (const bucket of payload.aggregates) {
      this.counters.aggregateBuckets++;
      const started = parseTime(bucket?.started) ?? meta.receivedAt;
      if (started === undefined) {
        this.counters.invalid++;
        continue;
      }
      const cell = this.cellFor(this.dimSet([meta.project ?? '0', release, environment, meta.platform ?? 'unknown']), started);
      const user = typeof bucket.did === 'string' && bucket.did !== '' ? this.intern(bucket.did) : null;
      const parts: Array<[SessionOutcome, unknown]> = [
        ['healthy', bucket.exited],
        ['errored', bucket.errored],
        ['crashed', bucket.crashed],
        ['abnormal', bucket.abnormal],
      ];
      for (const [outcome, raw] of parts) {
        const count = typeof raw === 'number' && raw > 0 ? Math.floor(raw) : 0;
        if (count > 0) applyContribution(cell, { outcome, count, open: false, user }, 1);
      }
    }
    return 'applied';
  }

  /** Counts and series for a filter, time range, grouping and interval. */
  query(q: HealthQuery = {}): HealthResult {
    return runQuery(this.cells.values(), q, this.users.size);
  }

  /** Ingest counters, including the anomalies that were ignored. */
  stats(): IndexStats {
    let counted = 0;
    let withoutInit = 0;
    let withoutRelease = 0;
    for (const s of this.sessions.values()) {
      if (s.contribution) counted++;
      else if (!s.initSeen) withoutInit++;
      else withoutRelease++;
    }
    return { ...this.counters, sessions: counted, withoutInit, withoutRelease };
  }

  private intern(did: string): number {
    let n = this.users.get(did);
    if (n === undefined) {
      n = this.users.size;
      this.users.set(did, n);
    }
    return n;
  }

  private invalid(): IngestResult {
    this.counters.invalid++;
    return 'invalid';
  }

  private dimSet(dims: [string, string, string, string]): DimSet {
    const key = dims.join('\u0000');
    let set = this.dimSets.get(key);
    if (!set) this.dimSets.set(key, (set = { dims, key }));
    return set;
  }

  private cellFor(set: DimSet, startedMs: number): Cell {
    const minute = minuteOf(startedMs);
    const key = `${set.key}\u0000${minute}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = newCell(set.dims, minute);
      this.cells.set(key, cell);
    }
    return cell;
  }

  /**
   * Makes the session's contribution match its current state: nothing to do
   * when it already does (duplicates, stale updates), else undo and redo.
   */
  private recount(state: SessionState): void {
    const counted = state.initSeen && state.dims !== null;
    const outcome = outcomeOf(state.status, state.errors);
    const open = !TERMINAL.has(state.status);
    const old = state.contribution;
    const cell = state.cell;
    const sameCell = cell !== null && state.dims !== null && cell.dims === state.dims.dims && cell.minute === minuteOf(state.started);
    if (counted && old && sameCell && old.outcome === outcome && old.open === open && old.user === state.user) return;
    if (cell && old) applyContribution(cell, old, -1);
    state.cell = null;
    state.contribution = null;
    if (!counted || !state.dims) return;
    const contribution: Contribution = { outcome, count: 1, open, user: state.user };
    state.cell = sameCell ? cell : this.cellFor(state.dims, state.started);
    state.contribution = contribution;
    applyContribution(state.cell, contribution, 1);
  }
}

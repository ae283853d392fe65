import { uuid4, type Envelope, type SessionStatus } from '@sentry/core';
import type { CoreDeps } from './clock.js';
import { sessionKey, toSessionItem, type PersistedSession, type SessionItem } from './session-state.js';
import type { OwnerMarker, SessionEndHint, Store } from './types.js';

/** What the application-mode session engine needs from its client. */
export interface AppSessionsContext {
  store: Store;
  deps: CoreDeps;
  release?: string;
  environment: string;
  owner: () => OwnerMarker;
  /** The `did` for the current user (already hashed when configured), or undefined when no user is known. */
  did: () => Promise<string | undefined>;
  /** Synchronous form of `did`, for the fatal crash path. */
  didSync: () => string | undefined;
  /** Wraps an update in an envelope. */
  envelope: (item: SessionItem) => Envelope;
  /** Hands an envelope to the durable queue; `onDelivered` runs after a 2xx; the envelope is not sent before `afterPersisted` settles. */
  enqueue: (envelope: Envelope, onDelivered?: () => void, afterPersisted?: () => Promise<void>) => Promise<void>;
  logger: Pick<Console, 'warn'>;
}

/**
 * Application-mode sessions: one at a time, each transition persisted under
 * `session/<sid>` (with the owner marker) and then queued, in order, on one
 * promise chain. The in-memory state changes synchronously so accounting is
 * exact at capture time; persistence and sending follow.
 */
export class AppSessions {
  private current: PersistedSession | undefined;
  private chain: Promise<void> = Promise.resolve();
  private persistPending = false;
  private persistWarned = false;
  private everStarted = false;

  public constructor(private readonly ctx: AppSessionsContext) {}

  /** The running session's id, if any. */
  public sessionId(): string | undefined {
    return this.current?.sid;
  }

  /** The running session's state (read-only view for tests and the fatal path). */
  public state(): Readonly<PersistedSession> | undefined {
    return this.current;
  }

  /** Starts a new session (ending a running one `exited`) and queues its `init` update. */
  public start(): void {
    this.everStarted = true;
    if (this.current) this.end('exited');
    const now = this.ctx.deps.now();
    this.current = {
      v: 1,
      sid: uuid4(),
      started: now,
      timestamp: now,
      status: 'ok',
      errors: 0,
      seq: 0,
      initQueued: false,
      ...(this.ctx.release !== undefined && { release: this.ctx.release }),
      environment: this.ctx.environment,
      owner: this.owner(),
    };
    // A process that spins synchronously right after start never gets to the async write: persist now where the Store can.
    this.persistSync(this.current);
    this.transition(this.current, true);
  }

  /**
   * Starts the first session now if none was ever started: a capture before
   * `start()` (a crash in the first tick) must have a session to count in.
   * Returns whether it started one.
   */
  public ensureStarted(): boolean {
    if (this.everStarted) return false;
    this.start();
    return true;
  }

  /**
   * Ends the running session with a terminal status; a session already
   * terminal (crashed) is only let go. `at` (epoch ms, not before the start)
   * is when it really ended, e.g. when the app went to the background, so
   * time spent there is not counted in its duration.
   */
  public end(status: Exclude<SessionStatus, 'ok'> = 'exited', at?: number): void {
    const s = this.current;
    if (!s) return;
    this.current = undefined;
    if (s.status !== 'ok') return;
    s.status = status;
    this.bump(s);
    if (at !== undefined && Number.isFinite(at)) s.timestamp = Math.max(s.started, Math.min(at, s.timestamp));
    this.transition(s, false);
  }

  /**
   * Records how the running session ends if this run dies without ending it
   * (undefined clears it), persisted with its state for next-launch recovery:
   * e.g. `exited` at the time the app went to the background.
   */
  public setPendingEnd(hint: SessionEndHint | undefined): void {
    const s = this.current;
    if (!s || s.status !== 'ok') return;
    if (hint) s.pendingEnd = { ...hint };
    else delete s.pendingEnd;
    this.chain = this.chain.then(async () => {
      if (s.status === 'ok' && this.current === s) await this.persist(sessionKey(s.sid), s);
    });
  }

  /** Counts one handled error: the first one sends an update, later ones are only persisted (coalesced). */
  public handledError(): void {
    const s = this.current;
    if (!s || s.status !== 'ok') return;
    s.errors += 1;
    if (s.errors === 1) {
      this.bump(s);
      this.transition(s, false);
    } else {
      s.timestamp = this.ctx.deps.now();
      this.persistSoon(s);
    }
  }

  /** Marks the running session `crashed` (terminal) and queues the update. Returns its sid. */
  public crashed(): string | undefined {
    const s = this.current;
    if (!s || s.status !== 'ok') return s?.sid;
    s.status = 'crashed';
    this.bump(s);
    this.transition(s, false);
    return s.sid;
  }

  /**
   * Process-is-ending paths (a fatal error, `process.exit`): ends the session
   * with `status` and persists it synchronously when the Store can
   * (`setSync`), so the next launch sends the terminal update even if no
   * promise ever resolves again. Then queues the update as usual. A crashed
   * session stays current so later captures do not start counting again.
   */
  public endSync(status: 'crashed' | 'exited'): string | undefined {
    const s = this.current;
    if (!s || s.status !== 'ok') return s?.sid;
    s.status = status;
    this.bump(s);
    if (s.did === undefined) {
      const did = this.ctx.didSync();
      if (did !== undefined) s.did = did;
    }
    this.persistSync(s);
    if (status !== 'crashed') this.current = undefined;
    this.transition(s, false);
    return s.sid;
  }

  /** Resolves when every transition so far is persisted and queued. */
  public idle(): Promise<void> {
    return this.chain;
  }

  private owner(): OwnerMarker {
    try {
      return this.ctx.owner();
    } catch (e) {
      // Without a marker the next launch treats the session as gone; better than throwing at the app.
      this.ctx.logger.warn(`[crashfree] liveness.owner() failed: ${String(e)}`);
      return {};
    }
  }

  private bump(s: PersistedSession): void {
    s.seq += 1;
    s.timestamp = this.ctx.deps.now();
  }

  private transition(s: PersistedSession, init: boolean): void {
    const snapshot: PersistedSession = { ...s };
    const terminal = snapshot.status !== 'ok';
    this.chain = this.chain.then(async () => {
      try {
        if (s.did === undefined) {
          const did = await this.ctx.did();
          if (did !== undefined) s.did = did;
        }
        if (s.did !== undefined) snapshot.did = s.did;
        // The init goes out with the first update this session ever queues, so exactly one carries it.
        const sendInit = init || !s.initQueued;
        snapshot.initQueued = s.initQueued;
        // A newer transition (e.g. the fatal path's synchronous write) must never be overwritten by an older one.
        const latest = (): boolean => s.seq === snapshot.seq;
        if (latest()) await this.persist(sessionKey(s.sid), snapshot);
        const onDelivered = terminal ? () => void this.ctx.store.delete(sessionKey(s.sid)).catch(() => undefined) : undefined;
        // "init queued" is recorded after the queue write and before the envelope may be sent. Killed
        // in between, the init is still in the persisted queue, and recovery looks there first.
        const recordInit = !s.initQueued && !terminal ? () => (latest() ? this.persist(sessionKey(s.sid), { ...snapshot, initQueued: true }) : Promise.resolve()) : undefined;
        s.initQueued = true;
        await this.ctx.enqueue(this.ctx.envelope(toSessionItem(snapshot, sendInit)), onDelivered, recordInit);
      } catch (e) {
        this.ctx.logger.warn(`[crashfree] session update not queued: ${String(e)}`);
      }
    });
  }

  /** Writes `s` through `store.setSync` when the Store has it (one warning per failure, never a throw). */
  private persistSync(s: PersistedSession): void {
    if (!this.ctx.store.setSync) return;
    try {
      this.ctx.store.setSync(sessionKey(s.sid), JSON.stringify(s));
    } catch (e) {
      this.ctx.logger.warn(`[crashfree] could not persist the session synchronously: ${String(e)}`);
    }
  }

  /** Persists a session state; a failing Store costs durability only, the update is still sent (one warning). */
  private async persist(key: string, state: PersistedSession): Promise<void> {
    try {
      await this.ctx.store.set(key, JSON.stringify(state));
    } catch (e) {
      if (!this.persistWarned) this.ctx.logger.warn(`[crashfree] could not persist session state (${String(e)}); sessions are still sent.`);
      this.persistWarned = true;
    }
  }

  private persistSoon(s: PersistedSession): void {
    if (this.persistPending) return;
    this.persistPending = true;
    this.chain = this.chain.then(async () => {
      this.persistPending = false;
      if (s.status !== 'ok' || this.current !== s) return;
      await this.persist(sessionKey(s.sid), s);
    });
  }
}

import type { Envelope, SessionStatus } from '@sentry/core';
import { uuid4 } from './uuid.js';
import type { CoreDeps } from './clock.js';
import { sessionKey, toSessionItem, type PersistedSession, type SessionItem } from './session-state.js';
import type { OwnerMarker, Store } from './types.js';

/** What the application-mode session engine needs from its client. */
export interface AppSessionsContext {
  store: Store;
  deps: CoreDeps;
  release?: string;
  environment: string;
  owner: () => OwnerMarker;
  /** The `did` for the current user (already hashed when configured), or undefined when no user is known. */
  did: () => Promise<string | undefined>;
  /** Synchronous form of `did`, for the fatal crash path (session-sync-ends.ts; clients without one leave it out). */
  didSync?: () => string | undefined;
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
 * exact at capture time.
 *
 * One rule makes a run count whatever kills it: the persisted record is the
 * run's entry for the next launch, and every write of it is synchronous
 * where the Store has `setSync` (start, user, first error, end, crash, and
 * "init queued"), so the file always holds the newest state in program order
 * and no older async write can land over a newer one. `initQueued` turns true
 * on disk only after the queue's write of the init update landed: a run that
 * dies before that leaves "not queued", and recovery sends init and end as
 * one update. Without `setSync` (a page's IndexedDB) the same writes go on the
 * chain, in the same order.
 */
export interface AppSessions {
  /** The running session's id, if any. */
  sessionId(): string | undefined;
  /** Starts a new session (ending a running one `exited`) and queues its `init` update. */
  start(): void;
  /**
   * Starts the first session now if none was ever started: a capture before
   * `start()` (a crash in the first tick) must have a session to count in.
   * Returns whether it started one.
   */
  ensureStarted(): boolean;
  /**
   * Ends the running session with a terminal status; a session already
   * terminal (crashed) is only let go. `at` (epoch ms, not before the start)
   * is when it really ended, e.g. when the app went to the background, so
   * time spent there is not counted in its duration.
   */
  end(status?: Exclude<SessionStatus, 'ok'>, at?: number): void;
  /** Counts one handled error: the first one sends an update, later ones are only persisted (coalesced). */
  handledError(): void;
  /** Marks the running session `crashed` (terminal) and queues the update. Returns its sid. */
  crashed(): string | undefined;
  /** Resolves when every transition so far is persisted and queued. */
  idle(): Promise<void>;
  /** The user changed (`setUser`): a running session without a did takes the new one and persists it synchronously (`setSync`). */
  didChanged(): void;
}

/**
 * What a session engine's extension builds on (`createAppSessionsWith(ctx,
 * extend)`): its context, the running session and the steps of a transition.
 * Only the full client extends the engine (session-sync-ends.ts), so page
 * bundles carry none of the extension's code.
 */
export interface SessionInternals {
  ctx: AppSessionsContext;
  /** The running session, if any. */
  current(): PersistedSession | undefined;
  /** Lets the running session go (it ended). */
  clear(): void;
  /** Counts a change: seq + 1, timestamp now. */
  bump(s: PersistedSession): void;
  /** Persists the change, then queues its update, on the engine's chain. */
  transition(s: PersistedSession, init: boolean): void;
  /** Writes `s` through `store.setSync` when the Store has it (never throws). */
  persistSync(s: PersistedSession): void;
  /** Persists `s` on the chain if it is still the running, unended session then. */
  persistLater(s: PersistedSession): void;
}

/** Creates the application-mode session engine (a closure, so its internals minify in browser bundles). */
export function createAppSessions(ctx: AppSessionsContext): AppSessions {
  return sessionsOf(createAppSessionSteps(ctx));
}

/** `createAppSessions` plus the methods `extend` builds on the engine's internals (the full client's session-sync-ends.ts). */
export function createAppSessionsWith<X extends object>(ctx: AppSessionsContext, extend: (internals: SessionInternals) => X): AppSessions & X {
  const steps = createAppSessionSteps(ctx);
  const [, , , , , , , , current, clear, bump, transition, persistSync, persistLater] = steps;
  return Object.assign(sessionsOf(steps), extend({ ctx, current, clear, bump, transition, persistSync, persistLater }));
}

/** `AppSessions`' methods, in its order. */
type Steps = [
  sessionId: AppSessions['sessionId'],
  start: AppSessions['start'],
  ensureStarted: AppSessions['ensureStarted'],
  end: AppSessions['end'],
  handledError: AppSessions['handledError'],
  crashed: AppSessions['crashed'],
  idle: AppSessions['idle'],
  didChanged: AppSessions['didChanged'],
];

/** The engine's internals in `SessionInternals` order, less `ctx`. */
type Internals = [
  current: SessionInternals['current'],
  clear: SessionInternals['clear'],
  bump: SessionInternals['bump'],
  transition: SessionInternals['transition'],
  persistSync: SessionInternals['persistSync'],
  persistLater: SessionInternals['persistLater'],
];

const sessionsOf = ([sessionId, start, ensureStarted, end, handledError, crashed, idle, didChanged]: [...Steps, ...Internals]): AppSessions => ({
  sessionId,
  start,
  ensureStarted,
  end,
  handledError,
  crashed,
  idle,
  didChanged,
});

/**
 * The engine as a tuple: `AppSessions`' methods in its order, then its
 * internals. The lite client destructures it (page bundles then carry no
 * method names for it); `createAppSessions` makes the object.
 */
export function createAppSessionSteps(ctx: AppSessionsContext): [...Steps, ...Internals] {
  let current: PersistedSession | undefined;
  let chain: Promise<void> = Promise.resolve();
  let persistPending = false;
  let persistWarned = false;
  let everStarted = false;
  const sessionKeyOf = (s: PersistedSession): string => sessionKey(s.sid);

  const owner = (): OwnerMarker => {
    try {
      return ctx.owner();
    } catch (e) {
      // Without a marker the next launch treats the session as gone; better than throwing at the app.
      ctx.logger.warn(`[crashfree] liveness.owner() failed: ${String(e)}`);
      return {};
    }
  };

  const bump = (s: PersistedSession): void => {
    s.seq += 1;
    s.timestamp = ctx.deps.now();
  };

  /** A failing Store costs durability only: the updates are still sent (one warning for the whole run). */
  const persistFailed = (e: unknown): void => {
    if (!persistWarned) ctx.logger.warn(`[crashfree] session state not persisted (${String(e)}); updates still sent.`);
    persistWarned = true;
  };

  /** Persists a session state (never rejects). */
  const persist = async (state: PersistedSession): Promise<void> => {
    try {
      await ctx.store.set(sessionKeyOf(state), JSON.stringify(state));
    } catch (e) {
      persistFailed(e);
    }
  };

  /** Writes `s` through `store.setSyncCached` (page cache now, fsync after) or `store.setSync` when the Store has one (never throws). */
  const persistSync = (s: PersistedSession): void => {
    try {
      (ctx.store.setSyncCached ?? ctx.store.setSync)?.call(ctx.store, sessionKeyOf(s), JSON.stringify(s));
    } catch (e) {
      persistFailed(e);
    }
  };

  /** Writes the newest state of `s`: synchronously where the Store can (see the engine's comment), else through `persist`. */
  const save = (s: PersistedSession): Promise<void> | undefined => {
    if (!ctx.store.setSync) return persist({ ...s });
    persistSync(s);
    return undefined;
  };

  /** Persists `s` on the chain if it is still the running, unended session then; that write covers any coalesced one waiting. */
  const persistLater = (s: PersistedSession): void => {
    chain = chain.then(() => {
      persistPending = false;
      return s.status === 'ok' && current === s ? save(s) : undefined;
    });
  };

  /** Sessions whose init update was handed to the queue (in memory only: on disk it is `initQueued`, set once the queue's write landed). */
  const initHanded = new WeakSet<PersistedSession>();

  const transition = (s: PersistedSession, init: boolean): void => {
    // On disk before anything else: the next launch must find this state even if no promise resolves again.
    persistSync(s);
    const snapshot: PersistedSession = { ...s };
    const terminal = snapshot.status !== 'ok';
    chain = chain.then(async () => {
      try {
        if (s.did === undefined) {
          // Known once, then kept (an undefined did is left out of what is written and sent).
          s.did = await ctx.did();
          if (s.did !== undefined) persistSync(s);
        }
        snapshot.did = s.did;
        // The init goes out with the first update this session ever queues, so exactly one carries it.
        const sendInit = init || !initHanded.has(s);
        initHanded.add(s);
        // Without setSync the state is written here; a newer transition's write must never be overwritten by this older one.
        if (!ctx.store.setSync && s.seq === snapshot.seq) await persist(snapshot);
        const onDelivered = terminal ? () => void ctx.store.delete(sessionKeyOf(s)).catch(() => undefined) : undefined;
        // "init queued" is recorded once the queue's write landed and before the envelope may be sent. Killed
        // in between, the init is still in the persisted queue, and recovery looks there first. It is recorded
        // on the newest state (ended meanwhile, e.g. by pagehide or process.exit): skipping that left "init not
        // queued" on disk, and recovery sent a second init.
        const recordInit = sendInit && !terminal ? () => {
          s.initQueued = true;
          return save(s) ?? Promise.resolve();
        } : undefined;
        await ctx.enqueue(ctx.envelope(toSessionItem(snapshot, sendInit)), onDelivered, recordInit);
      } catch (e) {
        ctx.logger.warn(`[crashfree] session update not queued: ${String(e)}`);
      }
    });
  };

  const end: AppSessions['end'] = (status = 'exited', at) => {
    const s = current;
    if (!s) return;
    current = undefined;
    if (s.status !== 'ok') return;
    s.status = status;
    bump(s);
    if (at !== undefined && Number.isFinite(at)) s.timestamp = Math.max(s.started, Math.min(at, s.timestamp));
    transition(s, false);
  };
  const start = (): void => {
    everStarted = true;
    if (current) end('exited');
    const now = ctx.deps.now();
    const did = ctx.didSync?.();
    current = {
      ...(did !== undefined && { did }),
      v: 1,
      sid: uuid4(),
      started: now,
      timestamp: now,
      status: 'ok',
      errors: 0,
      seq: 0,
      initQueued: false,
      ...(ctx.release !== undefined && { release: ctx.release }),
      environment: ctx.environment,
      owner: owner(),
    };
    // A process that spins synchronously (or dies) right after start never gets to the chain: where the Store
    // can, transition writes the start before this returns.
    transition(current, true);
  };
  const ensureStarted = (): boolean => {
    if (everStarted) return false;
    start();
    return true;
  };
  const handledError = (): void => {
    const s = current;
    if (!s || s.status !== 'ok') return;
    s.errors += 1;
    if (s.errors === 1) {
      bump(s);
      transition(s, false);
    } else if (!persistPending) {
      s.timestamp = ctx.deps.now();
      // Later errors are coalesced into one write per turn of the chain.
      persistPending = true;
      persistLater(s);
    } else s.timestamp = ctx.deps.now();
  };
  const crashed = (): string | undefined => {
    const s = current;
    if (!s || s.status !== 'ok') return s?.sid;
    s.status = 'crashed';
    bump(s);
    transition(s, false);
    return s.sid;
  };
  const didChanged = (): void => {
    const s = current;
    // Called on every scope change (tags, breadcrumbs): cheap checks first.
    if (!s || s.status !== 'ok' || s.did !== undefined) return;
    const did = ctx.didSync?.();
    if (did === undefined) return;
    s.did = did;
    // The next transition's async write carries it too; a Store without setSync gets it then.
    persistSync(s);
  };
  const clear = (): void => {
    current = undefined;
  };
  return [
    () => current?.sid,
    start,
    ensureStarted,
    end,
    handledError,
    crashed,
    () => chain,
    didChanged,
    () => current,
    clear,
    bump,
    transition,
    persistSync,
    persistLater,
  ];
}

/**
 * The process's life as the SDK sees it: how it ends cleanly (natural end,
 * `process.exit()`, SIGTERM/SIGINT) and how it crashes (uncaught exceptions,
 * unhandled rejections), with Node's own behaviour kept for each: the same
 * output, the same exit code or signal, and never a process that keeps
 * running after an error Node would have died of.
 */
import type { EventHint } from '@sentry/core';
import { fatalErrorText, rejectionAsError, type UnhandledRejectionMode } from './unhandled-rejections.js';

/** The client calls the lifecycle makes (a subset of the core's client). */
export interface LifecycleClient {
  captureException(exception: unknown, hint?: EventHint): string;
  captureFatalSync(exception: unknown, hint?: EventHint): string | undefined;
  flush(timeoutMs?: number): PromiseLike<boolean>;
  close(timeoutMs?: number): PromiseLike<boolean>;
}

/** What {@link installProcessLifecycle} needs. */
export interface LifecycleOptions {
  client: LifecycleClient;
  /** Bound on the wait for delivery before a crash or a signal ends the process. */
  shutdownTimeoutMs: number;
  rejectionMode: UnhandledRejectionMode;
  /**
   * Settles when the client's start (recovery, first session) is done. Closing
   * waits for it (bounded), so a run that ends early still ends its session.
   */
  started: Promise<unknown>;
  /** Called synchronously first on the crash path (e.g. request mode ends in-flight requests `crashed`). */
  onFatal?: () => void;
  /**
   * After the crash is recorded: delivers it without giving the app an
   * event-loop turn (only microtasks may run), within the shutdown bound.
   */
  deliverFatal: () => Promise<void>;
  /** Called synchronously from `process.on('exit')`: the last chance to persist, no promise resolves after it. */
  onExitSync?: () => void;
  log: (message: string) => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function mechanism(type: string, handled: boolean): EventHint {
  return { mechanism: { type, handled } };
}

/**
 * Installs the process hooks; returns their removal. While a fatal crash is
 * being delivered, further errors are printed but not captured again.
 */
export function installProcessLifecycle(options: LifecycleOptions): () => void {
  const { client, shutdownTimeoutMs, rejectionMode, log } = options;
  let dying = false;
  let closing = false;

  /** Waits (bounded) for start, then closes the client (bounded): never rejects. */
  const closeClient = async (): Promise<void> => {
    const deadline = Date.now() + shutdownTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, shutdownTimeoutMs);
    });
    try {
      await Promise.race([options.started, bound]);
      await client.close(Math.max(0, deadline - Date.now()));
    } catch (e) {
      log(`[crashfree] close failed: ${String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  };

  const die = (error: unknown, hint: EventHint): void => {
    process.stderr.write(fatalErrorText(error));
    if (dying) return;
    dying = true;
    try {
      options.onFatal?.();
      client.captureFatalSync(error, hint);
    } catch (e) {
      log(`[crashfree] could not record the crash: ${String(e)}`);
    }
    // The crash is on disk; delivering it now only saves a launch. No timer or I/O callback
    // of the app runs meanwhile: Node would already have ended the process.
    void options
      .deliverFatal()
      .catch(() => undefined)
      .then(() => process.exit(1));
  };

  const onUncaught = (error: Error, origin: 'uncaughtException' | 'unhandledRejection'): void => {
    const hint = mechanism(origin === 'unhandledRejection' ? 'onunhandledrejection' : 'onuncaughtexception', false);
    if (process.listenerCount('uncaughtException') > 1) {
      // The app handles uncaught exceptions itself, so Node keeps running: record, don't exit.
      if (!dying) client.captureException(error, hint);
      return;
    }
    die(error, hint);
  };

  const onRejection = (reason: unknown): void => {
    const appListens = process.listenerCount('unhandledRejection') > 1;
    switch (rejectionMode) {
      case 'strict':
        // Node already raised it through uncaughtException; this is the "handled" echo.
        return;
      case 'throw':
        if (appListens) {
          client.captureException(reason, mechanism('onunhandledrejection', true));
          return;
        }
        die(rejectionAsError(reason), mechanism('onunhandledrejection', false));
        return;
      case 'warn-with-error-code':
        client.captureException(reason, mechanism('onunhandledrejection', true));
        if (!appListens) {
          process.emitWarning(`Unhandled promise rejection: ${String(rejectionAsError(reason).message)}`, 'UnhandledPromiseRejectionWarning');
          process.exitCode = 1;
        }
        return;
      case 'warn':
      case 'none':
        // Node warns (warn) or stays silent (none) on its own and keeps running.
        client.captureException(reason, mechanism('onunhandledrejection', true));
        return;
    }
  };

  const onBeforeExit = (): void => {
    if (closing || dying) return;
    closing = true;
    // Pending work keeps the loop alive until close resolves; then beforeExit fires again and we stay out.
    void closeClient();
  };

  const onExit = (): void => {
    if (dying) return;
    try {
      options.onExitSync?.();
    } catch (e) {
      log(`[crashfree] exit hook failed: ${String(e)}`);
    }
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    // The app's own listener decides what the signal means; Node's default is only ours to keep when there is none.
    if (process.listenerCount(signal) > 1 || closing || dying) return;
    closing = true;
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    // With our listener gone, re-raising the signal ends the process the way Node's default would.
    void closeClient().then(() => {
      options.onExitSync?.();
      process.kill(process.pid, signal);
    });
  };

  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);

  return () => {
    process.removeListener('uncaughtException', onUncaught);
    process.removeListener('unhandledRejection', onRejection);
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
}

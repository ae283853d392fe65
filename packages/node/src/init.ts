/**
 * `init`: builds the Node platform (file store, /proc liveness with recovery
 * claims, http executor, stack parser), creates the core client, and wires
 * the process into it: lifecycle hooks, request sessions, fatal-error
 * reports, hang detection and native capture. Recovery of previous runs
 * starts right away; captures made before it finishes are kept.
 */
import { release as osRelease } from 'node:os';
import { getClient } from '@sentry/core';
import { CrashfreeClient, createClient, createMemoryStore, validateOptions, type CrashfreeOptions, type ExternalCrash, type Liveness, type Platform } from '@crashfree/core';
import { createNodeStackParser } from './stack-parser.js';
import { createEventBuilders } from './event-builder.js';
import { createRequestExecutor } from './request-executor.js';
import { createFatalDelivery } from './fatal-delivery.js';
import { applyEnvDefaults, splitNodeOptions, type NodeOnlyOptions } from './options.js';
import { dataDirLayout, defaultDataDir, openRunStorage } from './data-dir.js';
import { sweepSettledRuns } from './data-dir-sweep.js';
import { installProcessLifecycle } from './process-lifecycle.js';
import { unhandledRejectionMode } from './unhandled-rejections.js';
import { instrumentRequests, type RequestInstrumentation } from './request-sessions.js';
import { clearRunMeta, collectFatalReports, configureFatalReports, mergeWithNativeCrashes } from './fatal-report.js';
import { collectAnrStates, startAnrWatchdog, type AnrWatchdog } from './anr.js';
import { collectNativeCrashes, getNativeCaptureStatus, setNativeSessionId, setupNativeCapture, type NativeSetupContext } from './native/index.js';

declare const __CRASHFREE_VERSION__: string;

/** The SDK's identity in envelopes and events. */
export const SDK_INFO = {
  name: 'crashfree.javascript.node',
  version: typeof __CRASHFREE_VERSION__ === 'string' ? __CRASHFREE_VERSION__ : '0.0.0-source',
} as const;

/** Options of {@link init}: the core's options plus the Node-only ones. */
export type NodeOptions = CrashfreeOptions & NodeOnlyOptions;

/** Sentry's `os` and `runtime` contexts for this process (the segments of an issue). */
const RUNTIME_CONTEXTS = {
  os: { name: process.platform === 'linux' ? 'Linux' : process.platform === 'darwin' ? 'macOS' : process.platform === 'win32' ? 'Windows' : process.platform, kernel_version: osRelease() },
  runtime: { name: 'node', version: process.version },
};

/**
 * Starts crashfree for this process and returns the client. Never throws: an
 * invalid option logs one error naming the option, the value and what is
 * expected, and crashfree stays off. Call it once, as early as possible.
 */
export function init(userOptions: NodeOptions = {}): CrashfreeClient {
  const current = getClient();
  if (current instanceof CrashfreeClient && current.isEnabled()) {
    // A second set of process hooks would record every crash twice.
    console.warn('[crashfree] init was called again; the first client keeps running and these options are ignored.');
    return current;
  }
  const withEnv = applyEnvDefaults(userOptions as Record<string, unknown>, process.env);
  const { node, core, problems } = splitNodeOptions(withEnv);
  const log = (message: string): void => {
    if (withEnv.debug === true) console.log(message);
  };
  const warn = (message: string): void => console.warn(message);
  const stackParser = createNodeStackParser();
  const dsn = typeof withEnv.dsn === 'string' ? withEnv.dsn : undefined;
  const layout = dataDirLayout(node.dataDir ?? defaultDataDir(process.env, process.argv, process.cwd(), dsn));

  // Every option is checked before anything touches the disk.
  problems.push(...validateOptions(core).problems);
  if (problems.length > 0) console.error(`[crashfree] init: ${problems.join('; ')}. crashfree is disabled.`);

  const delivery = createFatalDelivery(createRequestExecutor(), log);
  const executor = delivery.makeRequest;
  const logger = { log, warn, error: (m: string) => console.error(m) };
  if (problems.length > 0 || dsn === undefined) {
    // A disabled client (every call a no-op) that touches no files; the one error line is already out.
    const store = createMemoryStore();
    const off: Liveness = { owner: () => ({}), isAlive: async () => true };
    const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
    if (problems.length === 0) {
      // No DSN: the core says once that nothing will be sent.
      return createClient({ ...core }, { name: 'node', sdk: SDK_INFO, store, makeRequest: executor, liveness: off, ...createEventBuilders(stackParser), logger });
    }
    return createClient({ enabled: false }, { name: 'node', sdk: SDK_INFO, store, makeRequest: executor, liveness: off, ...createEventBuilders(stackParser), logger: silent });
  }

  // An unwritable data dir is not a configuration error: one warning, and the run is kept in memory and sent live.
  const storage = openRunStorage(layout, warn);
  const { store, liveness } = storage;
  const platform: Platform = {
    name: 'node',
    sdk: SDK_INFO,
    store,
    makeRequest: executor,
    liveness,
    ...createEventBuilders(stackParser),
    logger,
  };
  const client = createClient(core, platform);
  if (!client.isEnabled()) return client;
  // The run counts from here: its session (with the did when a user is set) is on disk before init returns,
  // so a death at any later instant is recovered by the next launch. Recovery of earlier runs follows.
  client.startSession();
  const options = client.getOptions();
  const nativeCtx: NativeSetupContext = {
    dataDir: layout.root,
    warn,
    ...(options.release !== undefined && { release: options.release }),
    ...(options.environment !== undefined && { environment: options.environment }),
    sdk: SDK_INFO,
    ...(node.crashpadHandlerPath !== undefined && { crashpadHandlerPath: node.crashpadHandlerPath }),
    log,
    // Crashed runs deleted unsent by the native storage bound still count in client reports.
    onDropped: (count) => client.recordDroppedEvent('queue_overflow', 'error', count),
    ...(!storage.persistent && { unavailable: 'the data dir is not writable, so a crash record could not be kept' }),
  };
  const requestMode = core.sessionMode === 'request';

  const nativeStatus = setupNativeCapture(nativeCtx);
  if (!nativeStatus.enabled && nativeStatus.reason) log(`[crashfree] native crash capture is off: ${nativeStatus.reason}`);
  client.addEventProcessor((event) => {
    // Current health, not the one at init: native capture can degrade later. OS and runtime are Sentry's
    // standard contexts: the collector's issues (and Sentry's tags) break crashes down by them.
    event.contexts = { ...RUNTIME_CONTEXTS, ...event.contexts, crashfree_native: { ...getNativeCaptureStatus() } };
    return event;
  });

  const run = { ...(options.release !== undefined && { release: options.release }), ...(options.environment !== undefined && { environment: options.environment }) };
  let reportName: string | undefined;
  const onSessionStarted = (): void => {
    const sid = client.getSessionId();
    setNativeSessionId(sid);
    if (!storage.persistent) return;
    try {
      const previous = reportName;
      reportName = configureFatalReports(layout.reports, { ...run, ...(sid !== undefined && { sid }), owner: liveness.owner() });
      if (previous !== reportName) clearRunMeta(layout.reports, previous);
    } catch (e) {
      log(`[crashfree] fatal-error reports are off: ${String(e)}`);
    }
  };
  onSessionStarted();

  const requests: RequestInstrumentation | undefined = requestMode ? instrumentRequests(client) : undefined;
  // Started once recovery is done: a hang in the first milliseconds is not
  // one, and short-lived CLIs never pay for the worker thread.
  let anr: AnrWatchdog | undefined;
  let closed = false;
  const startHangDetection = (): void => {
    if (node.anrThresholdMs === 0 || closed || anr) return;
    anr = startAnrWatchdog({
      thresholdMs: node.anrThresholdMs,
      maxPerHour: node.anrMaxPerHour,
      stateDir: layout.anr,
      owner: liveness.owner(),
      getSessionId: () => client.getSessionId(),
      capture: (event) => client.captureEvent(event),
      log,
    });
  };

  // start() is called now with what the crash readers will find: a close() right after init waits for this
  // recovery (bounded) rather than skipping it, so a CLI that always exits at once still recovers its previous runs.
  const previousRuns = (async () => {
    const collect = async (what: string, run: () => Promise<ExternalCrash[]>): Promise<ExternalCrash[]> => {
      if (!storage.persistent) return [];
      try {
        return await run();
      } catch (e) {
        log(`[crashfree] could not read ${what} of previous runs: ${String(e)}`);
        return [];
      }
    };
    const native = await collect('native crashes', () => collectNativeCrashes(nativeCtx));
    const reports = await collect('fatal-error reports', () => collectFatalReports(layout.reports, liveness, stackParser, warn));
    const hangs = await (storage.persistent ? collectAnrStates(layout.anr, liveness, warn) : Promise.resolve({ events: [], ends: [] })).catch((e: unknown) => {
      log(`[crashfree] could not read hang records of previous runs: ${String(e)}`);
      return { events: [], ends: [] };
    });
    return { crashes: [...mergeWithNativeCrashes(native, reports), ...hangs.events], sessionEnds: hangs.ends };
  })();
  const started = client
    .start(previousRuns)
    .then(() => {
      // Settled runs' files go (temp files among them); memory-only runs have nothing on disk to sweep.
      if (storage.inner) void sweepSettledRuns({ layout, store, inner: storage.inner, log });
      onSessionStarted();
      startHangDetection();
    })
    .catch((e: unknown) => log(`[crashfree] start failed: ${String(e)}`));

  const uninstall = installProcessLifecycle({
    started,
    client,
    shutdownTimeoutMs: node.shutdownTimeoutMs,
    rejectionMode: unhandledRejectionMode(process.execArgv, process.env.NODE_OPTIONS),
    onFatal: () => {
      store.enterSyncMode();
      delivery.begin(node.shutdownTimeoutMs);
      requests?.crashInFlight();
      requests?.stopServers();
    },
    deliverFatal: () => delivery.drain(),
    onExitSync: () => {
      // After process.exit() no promise resolves: the end is persisted now and sent next launch.
      // In request mode this persists the request counts (ended into the queue, open into the snapshot).
      client.endSessionSync('exited');
      clearRunMeta(layout.reports, reportName);
    },
    log,
  });
  client.on('close', () => {
    uninstall();
    requests?.uninstall();
    closed = true;
    anr?.stop();
  });

  return client;
}

/**
 * Request mode: one session per incoming request on any node:http/https
 * server (plain, Express, Fastify, Koa...), found through Node's
 * `http.server.request.start` diagnostics channel rather than by patching a
 * framework. The request's session is bound to the handler's async context
 * (AsyncLocalStorage), so a plain `captureException` made while handling it
 * marks that request. Each request is counted exactly once, when its
 * response closes (finished or aborted).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** The request session calls used here (the core's RequestSession). */
export interface RequestSessionLike {
  end(status?: 'exited' | 'errored' | 'crashed'): void;
}

/** The client calls used here. */
export interface RequestClient<R extends RequestSessionLike> {
  startRequest(): R;
  setRequestResolver(resolver: () => R | undefined): void;
}

/** What instrumentation hands back: its removal and the crash-path hook. */
export interface RequestInstrumentation {
  /** Ends every in-flight request `crashed`: the process is dying with them. */
  crashInFlight(): void;
  /** Stops accepting connections on every instrumented server (the process is dying). */
  stopServers(): void;
  uninstall(): void;
}

interface RequestStartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** Subscribes to the http server channel and binds each request's session to its async context. */
export function instrumentRequests<R extends RequestSessionLike>(client: RequestClient<R>): RequestInstrumentation {
  const storage = new AsyncLocalStorage<R>();
  const inFlight = new Set<R>();
  const servers = new Set<Server>();
  // A property on the response rather than a WeakMap: ephemerons make every GC pay per request.
  const kSession = Symbol('crashfree.requestSession');
  type Tagged = ServerResponse & { [kSession]?: R };
  client.setRequestResolver(() => storage.getStore());

  // One shared listener (no closure per request): this is the hot path.
  function endOnClose(this: Tagged): void {
    const session = this[kSession];
    if (!session) return;
    this[kSession] = undefined;
    inFlight.delete(session);
    session.end();
  }

  const onStart = (message: unknown): void => {
    const { response, server } = message as RequestStartMessage;
    const session = client.startRequest();
    inFlight.add(session);
    if (!servers.has(server)) servers.add(server);
    (response as Tagged)[kSession] = session;
    // The channel publishes synchronously right before the server emits 'request',
    // so the store set here is what the handler and everything it schedules see.
    storage.enterWith(session);
    // 'close' is emitted once per response, finished or aborted.
    response.on('close', endOnClose);
  };

  diagnosticsChannel.subscribe('http.server.request.start', onStart);
  return {
    crashInFlight() {
      for (const session of inFlight) session.end('crashed');
      inFlight.clear();
    },
    stopServers() {
      for (const server of servers) server.close();
    },
    uninstall() {
      diagnosticsChannel.unsubscribe('http.server.request.start', onStart);
      client.setRequestResolver(() => undefined);
    },
  };
}

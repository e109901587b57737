// Graceful shutdown shared by signals and fatal process events: stop accepting connections,
// drain in-flight requests (bounded), then close resources in reverse order of start-up.
//
// Draining waits for request HANDLERS, not sockets: a busy keep-alive connection never goes idle
// by itself. So, from the moment the drain starts, every response not yet sent carries
// `Connection: close` (the client opens its next request elsewhere), idle keep-alive sockets are
// closed at once and again as each response completes, and when the last handler has answered the
// remaining sockets are closed — only then are MongoDB and Redis closed under nobody.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net from 'node:net';
import { flushLogger, logger } from './logger';

export interface Closable {
  readonly name: string;
  close(): Promise<void>;
}

/** The requests a server is handling: counted from arrival until their response closes. */
export interface RequestTracker {
  inFlight(): number;
  /** From now on every response not yet sent asks the client to close the connection. */
  startDraining(): void;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
}

export function trackRequests(server: Server): RequestTracker {
  const active = new Set<ServerResponse>();
  let draining = false;
  const waiters: (() => void)[] = [];
  const closeIfDraining = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    active.add(res);
    if (draining) closeIfDraining(res);
    res.once('close', () => {
      active.delete(res);
      if (draining && active.size === 0) for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    inFlight: () => active.size,
    startDraining() {
      draining = true;
      for (const res of active) closeIfDraining(res);
    },
    idle() {
      return active.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

export interface ShutdownOptions {
  readonly server?: Server;
  /** The server's request tracker (trackRequests); without it the drain waits for sockets to close. */
  readonly requests?: RequestTracker;
  readonly timeoutMs: number;
  /** Closed in the given order after the server has drained. */
  readonly resources: readonly Closable[];
  readonly exit?: (code: number) => void;
}

export interface ShutdownController {
  readonly isDraining: () => boolean;
  shutdown(reason: string, exitCode?: number): Promise<void>;
  installProcessHandlers(): void;
}

/**
 * How long a connection that is idle when the drain starts may still deliver a request already on
 * the wire. Closing it at once races the client's next request (reset, not answered); within this
 * window that request is answered with `Connection: close` instead. Idle clients cost at most this.
 */
const LAST_CALL_MS = 500;

async function closeServer(server: Server, requests: RequestTracker | undefined, timeoutMs: number): Promise<'drained' | 'forced'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'forced'>((resolve) => {
    timer = setTimeout(() => resolve('forced'), timeoutMs);
    timer.unref();
  });
  let outcome: 'drained' | 'forced';
  if (requests) {
    // Stop accepting — with net.Server's close: http.Server's own also destroys idle keep-alive
    // sockets at once, racing requests already on the wire to them (the last-call window below).
    net.Server.prototype.close.call(server);
    requests.startDraining();
    await new Promise((resolve) => setTimeout(resolve, Math.min(LAST_CALL_MS, timeoutMs / 4)));
    server.closeIdleConnections();
    outcome = await Promise.race([requests.idle().then(() => 'drained' as const), timedOut]);
  } else {
    // Stop accepting; the callback fires once every connection has closed.
    const closed = new Promise<'drained'>((resolve) => server.close(() => resolve('drained')));
    // Keep-alive sockets with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
    outcome = await Promise.race([closed, timedOut]);
  }
  // Every handler has answered (or time is up): what is left are idle or abandoned sockets.
  server.closeAllConnections();
  clearTimeout(timer);
  return outcome;
}

export function createShutdownController(options: () => ShutdownOptions): ShutdownController {
  let draining = false;
  let running: Promise<void> | undefined;

  async function run(reason: string, exitCode: number): Promise<void> {
    const { server, requests, timeoutMs, resources, exit = (code) => process.exit(code) } = options();
    draining = true;
    logger.info('Shutdown started', { reason, timeoutMs });
    if (server) {
      const outcome = await closeServer(server, requests, timeoutMs);
      logger.info(outcome === 'drained' ? '✓ HTTP server closed, in-flight requests finished' : '✗ HTTP server closed after timeout, in-flight requests dropped', { inFlight: requests?.inFlight() });
    }
    for (const resource of resources) {
      try {
        await resource.close();
        logger.info(`✓ ${resource.name} closed`);
      } catch (err) {
        exitCode = exitCode || 1;
        logger.error(`✗ ${resource.name} failed to close`, { error: (err as Error).message });
      }
    }
    logger.info('Shutdown complete', { exitCode });
    await flushLogger();
    exit(exitCode);
  }

  return {
    isDraining: () => draining,
    shutdown(reason, exitCode = 0) {
      running ??= run(reason, exitCode);
      return running;
    },
    installProcessHandlers() {
      const onSignal = (signal: NodeJS.Signals) => void this.shutdown(signal, 0);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      process.on('uncaughtException', (err) => {
        logger.error('Uncaught exception', { fatal: true, error: err.message, stack: err.stack });
        void this.shutdown('uncaughtException', 1);
      });
      process.on('unhandledRejection', (reason) => {
        const err = reason instanceof Error ? reason : new Error(String(reason));
        logger.error('Unhandled promise rejection', { fatal: true, error: err.message, stack: err.stack });
        void this.shutdown('unhandledRejection', 1);
      });
    },
  };
}

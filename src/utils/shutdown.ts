// Graceful shutdown shared by signals and fatal process events: stop accepting connections,
// drain in-flight requests (bounded), then close resources in reverse order of start-up.
import type { Server } from 'node:http';
import { flushLogger, logger } from './logger';

export interface Closable {
  readonly name: string;
  close(): Promise<void>;
}

export interface ShutdownOptions {
  readonly server?: Server;
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

function closeServer(server: Server, timeoutMs: number): Promise<'drained' | 'forced'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve('forced');
    }, timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve('drained');
    });
    // Keep-alive sockets with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}

export function createShutdownController(options: () => ShutdownOptions): ShutdownController {
  let draining = false;
  let running: Promise<void> | undefined;

  async function run(reason: string, exitCode: number): Promise<void> {
    const { server, timeoutMs, resources, exit = (code) => process.exit(code) } = options();
    draining = true;
    logger.info('Shutdown started', { reason, timeoutMs });
    if (server) {
      const outcome = await closeServer(server, timeoutMs);
      logger.info(outcome === 'drained' ? '✓ HTTP server closed, in-flight requests finished' : '✗ HTTP server closed after timeout, connections dropped');
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

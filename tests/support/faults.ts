// Real processes to break on purpose: a private redis-server on its own port (stop it, start it
// again on the same port), free ports, the API process with its start line awaited, and polling
// with a deadline instead of sleeps.
import net from 'node:net';
import path from 'node:path';
import { portFromStartLine, projectRoot, spawnServer, type ServerProcess } from './process';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export { createRedisInstance, type RedisInstance } from '../../scripts/lib/processes';

export interface ApiProcess {
  readonly server: ServerProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The API (tsx, src/server.ts) with `env` on top of the test profile. With `instrument`, the
 * test-only preload tests/support/process-stats.cjs is loaded (heap/handle stats, received requests).
 */
export async function startApi(env: Record<string, string>, options: { instrument?: boolean } = {}): Promise<ApiProcess> {
  const preload = path.join(projectRoot, 'tests', 'support', 'process-stats.cjs');
  const server = spawnServer({
    ...env,
    ...(options.instrument ? { NODE_OPTIONS: `--expose-gc --require ${preload}` } : {}),
  });
  const startLine = server.waitForLog((r) => /^✓ Server started/.test(String(r.message)), 60_000);
  const exitedEarly = server.exited.then((code) => {
    throw new Error(`API exited with ${code} before starting: ${server.stderr.join('')}`);
  });
  const port = portFromStartLine(await Promise.race([startLine, exitedEarly]));
  exitedEarly.catch(() => undefined);
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    },
  };
}

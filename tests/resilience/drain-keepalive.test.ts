// Graceful drain under keep-alive (what `pm2 reload` and `pm2 stop` send): busy keep-alive
// connections never go idle by themselves, so the drain must not wait for sockets — it answers the
// requests in flight with `Connection: close`, closes idle sockets at once, waits for the handlers,
// and exits well before its timeout. Every request on a connection the process had taken in is
// answered; only new connections fail, at connect time (the process no longer listens; PM2's
// cluster master or the load balancer sends them to another instance).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { buildCatalog } from '../../src/loaders/seed';
import { Product } from '../support/models';
import { createProductRepository } from '../../src/repositories/product.repository';
import { connectTestDatabase, disconnectTestDatabase, uniqueDbName } from '../support/db';
import { startApi, type ApiProcess } from '../support/faults';

const SHUTDOWN_TIMEOUT_MS = 15_000;
const CLIENTS = 12;

interface Outcome {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
  /** The request went out on a kept-alive connection the server had already served. */
  readonly reused?: boolean;
}

function get(agent: http.Agent, url: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('client timeout')));
    req.once('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, reused: req.reusedSocket }));
  });
}

describe('resilience: graceful drain with keep-alive clients', () => {
  const dbName = uniqueDbName('drain');
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    await connectTestDatabase(dbName);
    await createProductRepository(Product).insertMany(buildCatalog(100, 5));
  });

  afterAll(async () => {
    await api?.stop();
    await disconnectTestDatabase();
  });

  const start = () =>
    startApi({ MONGODB_DB_NAME: dbName, REDIS_KEY_PREFIX: `test:${randomBytes(5).toString('hex')}:`, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });

  it('when SIGTERM arrives while keep-alive clients keep sending, then every request is answered or refused, never dropped, and the process exits long before its timeout', async () => {
    api = await start();
    const url = `${api.url}/api/v1/products?limit=20&sort=price:desc`;
    const outcomes: Outcome[] = [];
    let stopped = false;
    const client = async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!stopped) {
          const outcome = await get(agent, url);
          outcomes.push(outcome);
          if (outcome.error && !outcome.reused) return;
        }
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    while (outcomes.filter((o) => o.status === 200).length < CLIENTS * 3) await new Promise((resolve) => setTimeout(resolve, 20));

    const signalledAt = Date.now();
    api.server.child.kill('SIGTERM');
    const exitCode = await api.server.exited;
    const drainMs = Date.now() - signalledAt;
    stopped = true;
    await Promise.all(clients);

    // A request on a connection the server had taken in is answered; only new connections fail,
    // at connect time (refused, or reset from the kernel's accept queue as the listener closes).
    expect(outcomes.filter((o) => o.status !== 200 && o.reused !== false)).toEqual([]);
    expect(outcomes.filter((o) => o.error).every((o) => ['ECONNREFUSED', 'ECONNRESET'].includes(o.error!))).toBe(true);
    // Requests answered during the drain told their clients to reconnect.
    expect(outcomes.some((o) => o.connection === 'close')).toBe(true);
    expect(exitCode).toBe(0);
    expect(drainMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 3);
    expect(api.server.lines.map((r) => String(r.message))).toContain('✓ HTTP server closed, in-flight requests finished');
  }, 60_000);

  it('when an idle keep-alive client is connected, then it does not delay the exit', async () => {
    api = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(agent, `${api.url}/health`)).status).toBe(200);
      const signalledAt = Date.now();
      api.server.child.kill('SIGTERM');
      expect(await api.server.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 3);
    } finally {
      agent.destroy();
    }
  }, 60_000);
});

// SIGTERM under load: with dozens of requests in flight (argon2id logins at production cost, which
// queue on the hashing threads, and catalog reads), the API drains before it exits: every request
// the process had taken in gets its real answer, and it exits 0.
//
// "Taken in" is exact, not guessed from client timing: the test-only preload reports each request's
// X-Request-ID as the HTTP server receives it. Connections still waiting in the kernel's accept
// queue when the listener closes are reset by the kernel — the process never saw them (a load
// balancer stops routing on the 503 from /ready first; see bench/README.md, "Resilience tests").
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { buildCatalog } from '../../src/loaders/seed';
import { Product } from '../support/models';
import { createProductRepository } from '../../src/repositories/product.repository';
import { expectSuccess } from '../support/contract';
import { connectTestDatabase, disconnectTestDatabase, uniqueDbName } from '../support/db';
import { startApi, type ApiProcess } from '../support/faults';
import { testKeyPrefix } from '../support/env';

const WORKERS = 40;
const LOGIN = { email: 'drain@example.com', password: 'Str0ng-drain-passw0rd!' };

interface Outcome {
  readonly id: string;
  readonly sentAt: number;
  readonly settledAt: number;
  readonly status?: number;
  readonly error?: string;
}

function send(url: string, method: 'GET' | 'POST', path: string, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    const id = `drain-${randomBytes(8).toString('hex')}`;
    const headers = { 'content-type': 'application/json', connection: 'close', 'x-request-id': id };
    const req = http.request(`${url}${path}`, { method, agent: false, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve({ id, sentAt, settledAt: Date.now(), status: res.statusCode }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('client timeout')));
    req.once('error', (err) => resolve({ id, sentAt, settledAt: Date.now(), error: err.message }));
    req.end(body);
  });
}

describe('resilience: SIGTERM under load', () => {
  const dbName = uniqueDbName('sigterm');
  let api: ApiProcess;

  beforeAll(async () => {
    await connectTestDatabase(dbName);
    await createProductRepository(Product).insertMany(buildCatalog(200, 11));
    api = await startApi({
      MONGODB_DB_NAME: dbName,
      REDIS_KEY_PREFIX: testKeyPrefix(),
      SHUTDOWN_TIMEOUT_MS: '25000',
      // Production hashing cost, so logins take long enough to be in flight when the signal lands.
      PASSWORD_HASH_MEMORY_KIB: '19456',
      TEST_REPORT_REQUESTS: '1',
    }, { instrument: true });
    expectSuccess(await request(api.url).post('/api/v1/auth/register').send({ ...LOGIN, firstName: 'Dee', lastName: 'Rain' }), 201);
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await disconnectTestDatabase();
  });

  it('when SIGTERM arrives with requests in flight, then every request the process took in is answered and it exits 0', async () => {
    const outcomes: Outcome[] = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    const worker = async (n: number) => {
      // Keep sending until the server refuses new connections (it stopped listening).
      while (true) {
        const outcome =
          n % 2 === 0
            ? await send(api.url, 'POST', '/api/v1/auth/login', JSON.stringify(LOGIN))
            : await send(api.url, 'GET', `/api/v1/products?limit=50&page=${1 + (n % 4)}&sort=price:desc`);
        outcomes.push(outcome);
        if (outcome.error && outcome.sentAt >= signalledAt) return;
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, n) => worker(n));
    // Let the load build up: wait until logins are completing under contention.
    while (outcomes.filter((o) => o.status === 200).length < WORKERS) await new Promise((resolve) => setTimeout(resolve, 50));

    signalledAt = Date.now();
    api.server.child.kill('SIGTERM');
    const exitCode = await api.server.exited;
    await Promise.all(workers);

    const received = new Set(api.server.lines.filter((r) => r.message === 'request received').map((r) => String(r.requestId)));
    const taken = outcomes.filter((o) => received.has(o.id));
    const inFlightAtSignal = taken.filter((o) => o.sentAt < signalledAt && o.settledAt >= signalledAt);
    // The test means something only if the signal really landed on requests in flight.
    expect(inFlightAtSignal.length).toBeGreaterThanOrEqual(5);
    expect(taken.filter((o) => o.status !== 200)).toEqual([]);
    // Whatever the process never took in failed at the connection, never with an HTTP error.
    expect(outcomes.filter((o) => !received.has(o.id) && o.status !== undefined)).toEqual([]);
    expect(exitCode).toBe(0);
    const messages = api.server.lines.map((r) => String(r.message));
    expect(messages).toContain('✓ HTTP server closed, in-flight requests finished');
  }, 90_000);
});

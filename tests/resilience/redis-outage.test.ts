// Redis goes away at runtime: a redis-server of this test's own is killed under a running API.
// Reads keep coming from MongoDB, /ready stays 200 (the instance can serve; a Redis outage is shared
// by every instance and must not take the fleet out) and says Redis is degraded, /health too, the
// rate limiters fail open (the
// documented choice, src/middlewares/security.ts), an enqueue fails with a logged error instead of
// failing the sign-up, nothing hangs; when Redis returns on the same
// port, the API reconnects and caches again without a restart.
import Redis from 'ioredis';
import request from 'supertest';
import { buildCatalog } from '../../src/loaders/seed';
import { Product } from '../support/models';
import { createProductRepository } from '../../src/repositories/product.repository';
import { expectSuccess } from '../support/contract';
import { connectTestDatabase, disconnectTestDatabase, uniqueDbName } from '../support/db';
import { createRedisInstance, pollUntil, startApi, type ApiProcess, type RedisInstance } from '../support/faults';
import { testKeyPrefix } from '../support/env';

const REQUEST_TIMEOUT_MS = 3000;

describe('resilience: Redis goes away', () => {
  const dbName = uniqueDbName('redis_outage');
  const prefix = testKeyPrefix();
  let redis: RedisInstance;
  let api: ApiProcess;
  let productId: string;

  beforeAll(async () => {
    await connectTestDatabase(dbName);
    await createProductRepository(Product).insertMany(buildCatalog(5, 7));
    productId = String((await Product.findOne({}).lean())!._id);
    redis = await createRedisInstance();
    await redis.start();
    api = await startApi({
      MONGODB_DB_NAME: dbName,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      CACHE_ENABLED: 'true',
      RATE_LIMIT_MAX: '100000',
      REDIS_COMMAND_TIMEOUT_MS: '500',
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await redis?.kill();
    await disconnectTestDatabase();
  });

  async function cachedItemKeys(): Promise<string[]> {
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await probe.connect();
      return await probe.keys(`${prefix}products:{${productId}}:item`);
    } finally {
      probe.disconnect();
    }
  }

  it('when Redis is killed and restarted, then reads, sign-ups and rate-limited routes keep answering, /ready stays 200 and reports Redis degraded, and caching resumes', async () => {
    // Before: cached read, limiter counting in Redis, ready.
    expectSuccess(await request(api.url).get(`/api/v1/products/${productId}`));
    expect(await cachedItemKeys()).toHaveLength(1);
    // A counted route (probes are never rate-limited).
    const limited = await request(api.url).get('/api/v1/products?limit=1');
    expect(limited.headers['ratelimit']).toMatch(/remaining=\d+/);
    expectSuccess(await request(api.url).get('/ready'));

    await redis.kill();

    // During: every answer arrives well within the request timeout; reads come from MongoDB.
    const started = Date.now();
    const read = await request(api.url).get(`/api/v1/products/${productId}`).timeout(REQUEST_TIMEOUT_MS);
    expectSuccess(read);
    expect(read.body.data.id).toBe(productId);
    const list = await request(api.url).get('/api/v1/products?limit=5').timeout(REQUEST_TIMEOUT_MS);
    expectSuccess(list);
    expect(list.body.data).toHaveLength(5);
    // Rate limiting fails open: the request is served, without a limiter verdict.
    const open = await request(api.url).get('/api/v1/products?limit=1').timeout(REQUEST_TIMEOUT_MS);
    expectSuccess(open);
    expect(open.headers['ratelimit']).toBeUndefined();
    const ready = await request(api.url).get('/ready').timeout(REQUEST_TIMEOUT_MS);
    expectSuccess(ready);
    expect(ready.body.data).toMatchObject({ ready: true, degraded: ['redis'], checks: { mongodb: { status: 'up' }, redis: { status: 'down' } } });
    const health = await request(api.url).get('/health').timeout(REQUEST_TIMEOUT_MS);
    expect(health.body.data).toMatchObject({ status: 'degraded', dependencies: { mongodb: 'up', redis: 'down' } });
    const metrics = await request(api.url).get('/metrics').timeout(REQUEST_TIMEOUT_MS);
    expect(metrics.text).toMatch(/^redis_up 0$/m);
    // A sign-up still succeeds; its welcome email cannot be enqueued, which is logged loudly with
    // the account (the documented choice of the auth module) instead of failing the sign-up.
    const signup = await request(api.url)
      .post('/api/v1/auth/register')
      .send({ email: 'redis-down@example.com', password: 'Str0ng-passw0rd!', firstName: 'No', lastName: 'Queue' })
      .timeout(REQUEST_TIMEOUT_MS);
    expectSuccess(signup, 201);
    const notQueued = await api.server.waitForLog((r) => r.message === 'welcome email could not be enqueued', 5000);
    expect(notQueued).toMatchObject({ level: 'error', accountId: signup.body.data.account.id, error: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(5 * REQUEST_TIMEOUT_MS);

    await redis.start();

    // After: no longer degraded without a restart, the limiter counts again and the cache is written again.
    await pollUntil('/ready without degradation after Redis returned', async () => (await request(api.url).get('/ready')).body.data?.degraded?.length === 0, 20_000, 200);
    const limitedAgain = await request(api.url).get('/api/v1/products?limit=1');
    expect(limitedAgain.headers['ratelimit']).toMatch(/remaining=\d+/);
    expectSuccess(await request(api.url).get(`/api/v1/products/${productId}`));
    expect(await cachedItemKeys()).toHaveLength(1);
    expect(api.server.child.exitCode).toBeNull();
  }, 90_000);
});

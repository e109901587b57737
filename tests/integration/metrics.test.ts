// GET /metrics: Prometheus text with request, error, dependency, queue and process metrics,
// labelled by route template (bounded cardinality), reachable only from allowed networks or with the token.
import express from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { createBullEmailQueue, producerConnection } from '../../src/jobs/email/email.queue';
import { createRedisClient } from '../../src/loaders/redis';
import { observeRequests } from '../../src/middlewares/request-observer';
import { createAuthMiddlewares } from '../../src/middlewares/auth.middleware';
import { buildRouters, type RouteDefinition } from '../../src/routes/route-table';
import { createMetricsService } from '../../src/services/metrics.service';
import { createTokenService } from '../../src/services/auth/token';
import { createTestContext, testConfig, type TestContext } from '../support/app';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { testKeyPrefix } from '../support/env';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** The value of one sample line, e.g. sample(text, 'redis_up') or with a label fragment. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .find((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true, env: { METRICS_TOKEN: TOKEN, TRUST_PROXY: '1', METRICS_ALLOW_CIDRS: '10.0.0.0/8' } });
  });
  afterAll(async () => ctx.close());

  it('when scraped from loopback, then request, error, dependency and process metrics are exposed in Prometheus format', async () => {
    await request(ctx.app).get('/health').expect(200);
    await request(ctx.app).get('/no/such/path-4f2a').expect(404);
    const res = await request(ctx.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(sample(res.text, 'http_request_duration_seconds_count', { method: 'GET', route: '/health', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(res.text, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(res.text).not.toContain('path-4f2a');
    expect(sample(res.text, 'http_errors_total', { code: 'ROUTE_NOT_FOUND', status_code: '404' })).toBe(1);
    // The scrape itself is in flight while it renders.
    expect(sample(res.text, 'http_requests_in_flight')).toBe(1);
    expect(sample(res.text, 'mongodb_connection_state', { state: 'connected' })).toBe(1);
    // The test connection has pooled at least the connection that served this file's queries.
    const pooled = sample(res.text, 'mongodb_pool_connections', { state: 'total' }) ?? -1;
    expect(pooled).toBeGreaterThanOrEqual(1);
    // The scrape's own outbox gauges query MongoDB while the collectors run concurrently, so the pool may be
    // read while that query holds a connection: the gauge is only known to lie between none and every pooled one.
    const checkedOut = sample(res.text, 'mongodb_pool_connections', { state: 'checked_out' }) ?? -1;
    expect(checkedOut).toBeGreaterThanOrEqual(0);
    expect(checkedOut).toBeLessThanOrEqual(pooled);
    expect(sample(res.text, 'redis_up')).toBe(1);
    // Process CPU is counted from the first scrape on, so this first sample may still read 0.
    expect(sample(res.text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sample(res.text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(res.text, 'app_info', { version: ctx.config.version })).toBe(1);
  });

  it('when a queue source is registered, then its counts appear per queue and state, and a failing source does not break the scrape', async () => {
    ctx.container.metrics.registerQueueMetrics(async () => ({ email: { waiting: 3, active: 1, failed: 2, completed: 40 } }));
    ctx.container.metrics.registerQueueMetrics(async () => {
      throw new Error('Redis is away');
    });
    const res = await request(ctx.app).get('/metrics').expect(200);
    expect(sample(res.text, 'queue_jobs', { queue: 'email', state: 'waiting' })).toBe(3);
    expect(sample(res.text, 'queue_jobs', { queue: 'email', state: 'completed' })).toBe(40);
  });

  it('when the request came through a proxy from the internet, then 401 METRICS_ACCESS_DENIED without the token', async () => {
    const res = await request(ctx.app).get('/metrics').set('X-Forwarded-For', '203.0.113.9');
    expectErrorContract(res, 401, 'METRICS_ACCESS_DENIED');
    expect(res.text).not.toContain('http_request_duration_seconds');
  });

  it('when the proxied client is in METRICS_ALLOW_CIDRS, then the scrape is allowed', async () => {
    await request(ctx.app).get('/metrics').set('X-Forwarded-For', '10.20.30.40').expect(200);
  });

  it('when a local proxy forwards without trust proxy, then loopback alone does not open /metrics', async () => {
    const untrusted = await createTestContext({ env: { TRUST_PROXY: 'false' } });
    expectErrorContract(await request(untrusted.app).get('/metrics').set('X-Forwarded-For', '203.0.113.9'), 401, 'METRICS_ACCESS_DENIED');
    await request(untrusted.app).get('/metrics').expect(200);
    await untrusted.close();
  });

  it('when the right token is sent from anywhere, then 200; a wrong token gets 401', async () => {
    await request(ctx.app).get('/metrics').set('X-Forwarded-For', '203.0.113.9').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const wrong = await request(ctx.app).get('/metrics').set('X-Forwarded-For', '203.0.113.9').set('Authorization', `Bearer ${TOKEN}x`);
    expectErrorContract(wrong, 401, 'METRICS_ACCESS_DENIED');
  });

  it('when a query string is sent, then 400 VALIDATION_FAILED like any declared route', async () => {
    expectErrorContract(await request(ctx.app).get('/metrics?x=1'), 400, 'VALIDATION_FAILED');
  });

  it('when metrics are disabled, then /metrics does not exist', async () => {
    const off = await createTestContext({ env: { METRICS_ENABLED: 'false' } });
    expectErrorContract(await request(off.app).get('/metrics'), 404, 'ROUTE_NOT_FOUND');
    await off.close();
  });
});

describe('GET /metrics (email queue wired in the composition root)', () => {
  it('when emails wait in the BullMQ queue and no worker runs, then /metrics shows the email queue depth', async () => {
    const config = testConfig({ REDIS_KEY_PREFIX: testKeyPrefix() });
    const shared = createRedisClient(config.redis.url!, config.redis);
    await shared.connect();
    const queue = createBullEmailQueue(config, producerConnection(shared));
    const ctx = await createTestContext({ redis: true, emailQueue: queue, env: { REDIS_KEY_PREFIX: config.redis.keyPrefix } });
    try {
      for (const id of ['a1', 'b2']) await queue.enqueue({ kind: 'welcome', to: `${id}@example.com`, data: {}, jobId: `welcome:${id}` });
      const res = await request(ctx.app).get('/metrics').expect(200);
      expect(sample(res.text, 'queue_jobs', { queue: 'email', state: 'waiting' })).toBe(2);
      expect(sample(res.text, 'queue_jobs', { queue: 'email', state: 'failed' })).toBe(0);
    } finally {
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await shared.quit();
      await ctx.close();
    }
  });
});

describe('request metrics labels', () => {
  it('when parametrised routes are called with different ids, then one series per route template counts them all', async () => {
    const metrics = createMetricsService({ mongo: mongoose.connection, redis: null, serviceName: 'svc', version: '1' });
    const config = testConfig();
    const routes: RouteDefinition[] = [
      { method: 'get', path: '/widgets/:id', summary: 's', tags: ['T'], access: 'public', handler: (_req, res) => void res.json({}) },
    ];
    const { api } = buildRouters(routes, createAuthMiddlewares(createTokenService(config.auth), async () => null));
    const app = express().use(observeRequests(metrics)).use('/api/v1', api);
    for (const id of ['a1', 'b2', 'c3']) await request(app).get(`/api/v1/widgets/${id}`).expect(200);
    const text = await metrics.render();
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/api/v1/widgets/:id', status_code: '200' })).toBe(3);
    expect(text).not.toMatch(/widgets\/(a1|b2|c3)/);
    expect(sample(text, 'http_requests_in_flight')).toBe(0);
  });
});

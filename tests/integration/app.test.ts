// The assembled app: health, readiness, tracing, rate limiting and the middleware order.
import Redis from 'ioredis';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../src/loaders/app';
import { createContainer } from '../../src/loaders/container';
import { collectRoutes } from '../../src/routes';
import { countEndpoints } from '../../src/routes/route-table';
import { logger } from '../../src/utils/logger';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { MemoryTransport } from '../support/log-capture';

describe('assembled app', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
  });
  afterAll(async () => ctx.close());

  describe('GET /health', () => {
    it('when the process is up, then it reports status, uptime and version in the envelope', async () => {
      const res = await request(ctx.app).get('/health');
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'ok', version: ctx.config.version, uptimeSeconds: expect.any(Number) });
    });

    it('when an unknown query parameter is sent, then 400 VALIDATION_FAILED lists it', async () => {
      const res = await request(ctx.app).get('/health?verbose=1');
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ location: 'query', path: 'verbose' })]);
    });
  });

  describe('GET /ready', () => {
    it('when MongoDB and Redis answer, then 200 with each check up', async () => {
      const res = await request(ctx.app).get('/ready');
      expectSuccess(res);
      expect(res.body.data.checks).toMatchObject({ mongodb: { status: 'up' }, redis: { status: 'up' } });
    });

    it('when MongoDB is unreachable, then 503 DEPENDENCY_UNAVAILABLE names it', async () => {
      const dead = mongoose.createConnection('mongodb://127.0.0.1:1/none', { serverSelectionTimeoutMS: 200 });
      dead.on('error', () => undefined);
      const down = await createTestContext({ mongo: dead });
      const res = await request(down.app).get('/ready');
      expectErrorContract(res, 503, 'DEPENDENCY_UNAVAILABLE');
      expect(res.body.message).toMatch(/mongodb/);
      await dead.close();
    });

    it('when Redis is unreachable, then 200: the instance still serves, and Redis is reported degraded', async () => {
      // Connects to a closed port once and gives up (no retries), so nothing lingers after the test.
      const deadRedis = new Redis({ port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      deadRedis.on('error', () => undefined);
      await new Promise((resolve) => deadRedis.once('end', resolve));
      const container = createContainer({ config: ctx.config, redis: deadRedis, emailQueue: ctx.emailQueue, mongo: mongoose.connection });
      const res = await request(buildApp(container).app).get('/ready');
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ ready: true, degraded: ['redis'], checks: { mongodb: { status: 'up' }, redis: { status: 'down' } } });
    });
  });

  describe('request tracing', () => {
    it('when no request id is sent, then a UUID is generated and echoed', async () => {
      const res = await request(ctx.app).get('/health');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('when a well-formed request id is sent, then it is kept', async () => {
      const res = await request(ctx.app).get('/health').set('X-Request-ID', 'client-trace-0001');
      expect(res.headers['x-request-id']).toBe('client-trace-0001');
    });

    it('when a malformed request id is sent, then it is replaced', async () => {
      const res = await request(ctx.app).get('/health').set('X-Request-ID', 'bad id\twith spaces');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('when code logs during a request without passing the id, then the record carries it', async () => {
      const memory = new MemoryTransport({ level: 'silly' });
      logger.add(memory);
      try {
        await request(ctx.app).get('/no-such-route').set('X-Request-ID', 'trace-into-logs-42').expect(404);
      } finally {
        logger.remove(memory);
      }
      const warning = memory.records.find((r) => r.code === 'ROUTE_NOT_FOUND');
      expect(warning).toMatchObject({ requestId: 'trace-into-logs-42', service: 'commerce-api', pid: process.pid });
    });
  });

  describe('rate limiting', () => {
    it('when the global limit is exceeded, then 429 RATE_LIMITED with Retry-After and RateLimit headers, counted in Redis', async () => {
      const limited = await createTestContext({ redis: true, env: { RATE_LIMIT_MAX: '2' } });
      try {
        // Any non-probe request counts (probes never do); an unknown route is counted before routing.
        await request(limited.app).get('/api/v1/no-such-thing').expect(404);
        const second = await request(limited.app).get('/api/v1/no-such-thing').expect(404);
        expect(second.headers['ratelimit']).toMatch(/remaining=0/);
        const res = await request(limited.app).get('/api/v1/no-such-thing');
        expectErrorContract(res, 429, 'RATE_LIMITED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(await limited.redis!.keys(`${limited.config.redis.keyPrefix}rl:global:*`)).toHaveLength(1);
      } finally {
        await limited.close();
      }
    });
  });

  describe('security headers and CORS', () => {
    it('when any response is sent, then hardening headers are set and X-Powered-By is not', async () => {
      const res = await request(ctx.app).get('/health');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });

    it('when an allowed origin calls, then CORS headers name it; a disallowed origin gets none', async () => {
      const allowed = ctx.config.cors.origins[0];
      const ok = await request(ctx.app).get('/health').set('Origin', allowed);
      expect(ok.headers['access-control-allow-origin']).toBe(allowed);
      const denied = await request(ctx.app).get('/health').set('Origin', 'https://evil.example');
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('when the app is built, then the mounted endpoint count equals the declared routes', () => {
    const declared = collectRoutes(ctx.container).length;
    expect(ctx.endpointCount).toBe(declared);
    expect(countEndpoints(ctx.app.router)).toBe(declared);
  });
});

// The rate limiter's store behaviour: counters shared through Redis, and fail-open when Redis fails.
import express from 'express';
import type Redis from 'ioredis';
import request from 'supertest';
import { createErrorHandler } from '../../src/middlewares/error.middleware';
import { createRateLimiter } from '../../src/middlewares/security';
import { requestContext } from '../../src/utils/tracing';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract } from '../support/contract';

function appWith(limiter: express.RequestHandler) {
  const app = express();
  app.use(requestContext);
  app.use(limiter);
  app.get('/ping', (_req, res) => {
    res.json({ success: true, data: 'pong' });
  });
  app.use(createErrorHandler({ exposeInternals: false }));
  return app;
}

/** A Redis whose every command fails, as when the server is unreachable. */
const brokenRedis = { call: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) } as unknown as Redis;

describe('rate limiter store', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
  });
  afterAll(async () => ctx.close());

  it('when two app instances share Redis, then they share one counter (as PM2 workers do)', async () => {
    const settings = { name: 'shared', windowMs: 60_000, max: 2, message: 'slow down' };
    const [a, b] = [0, 1].map(() => appWith(createRateLimiter(settings, ctx.redis, ctx.config.redis.keyPrefix)));
    expect((await request(a).get('/ping')).status).toBe(200);
    expect((await request(b).get('/ping')).status).toBe(200);
    const blocked = await request(a).get('/ping');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('RATE_LIMITED');
  });

  it('when Redis fails, then requests pass (fail-open) instead of every request failing', async () => {
    const app = appWith(createRateLimiter({ name: 'broken', windowMs: 60_000, max: 1, message: 'slow down' }, brokenRedis, 'test:'));
    for (let i = 0; i < 3; i += 1) expect((await request(app).get('/ping')).status).toBe(200);
  });

  it('when the limit is hit, then 429 in the error contract with Retry-After and RateLimit headers', async () => {
    const app = appWith(createRateLimiter({ name: 'headers', windowMs: 30_000, max: 1, message: 'slow down' }, ctx.redis, ctx.config.redis.keyPrefix));
    await request(app).get('/ping');
    const res = await request(app).get('/ping');
    expectErrorContract(res, 429, 'RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('30');
    expect(res.headers['ratelimit-policy']).toMatch(/^1;w=30/);
  });
});

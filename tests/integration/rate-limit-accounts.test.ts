// The global rate limit as API consumers meet it: counted per account for authenticated callers and
// per IP for anonymous ones, shared through Redis by every instance, never applied to probes.
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { testKeyPrefix } from '../support/env';

const LIMIT = 3;

/** `limit=3, remaining=0, reset=42` (draft-7 RateLimit header) → its fields. */
function rateLimitHeader(value: string | undefined): Record<string, number> {
  return Object.fromEntries(String(value).split(',').map((part) => part.trim().split('=')).map(([k, v]) => [k, Number(v)]));
}

describe('global rate limit', () => {
  useTestDatabase();
  let ctx: TestContext;
  let sibling: TestContext;

  beforeAll(async () => {
    // Two app instances on one Redis prefix, as two PM2 cluster workers are.
    const env = { RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000', REDIS_KEY_PREFIX: testKeyPrefix() };
    ctx = await createTestContext({ redis: true, env });
    sibling = await createTestContext({ redis: true, env });
  });
  afterAll(async () => {
    await ctx.close();
    await sibling.close();
  });

  describe('GET /api/v1/auth/me', () => {
    it('when one customer exhausts the limit, then a manager behind the same IP is still served', async () => {
      const customer = await callerWithRole(ctx, 'customer');
      const manager = await callerWithRole(ctx, 'manager');
      for (let i = 0; i < LIMIT; i += 1) expect((await request(ctx.app).get('/api/v1/auth/me').set(customer.headers)).status).toBe(200);
      expectErrorContract(await request(ctx.app).get('/api/v1/auth/me').set(customer.headers), 429, 'RATE_LIMITED');
      expect((await request(ctx.app).get('/api/v1/auth/me').set(manager.headers)).status).toBe(200);
    });

    it('when requests of one account reach both instances, then they share one counter', async () => {
      const customer = await callerWithRole(ctx, 'customer');
      const statuses = await Promise.all(
        Array.from({ length: LIMIT + 2 }, (_, i) => request(i % 2 ? sibling.app : ctx.app).get('/api/v1/auth/me').set(customer.headers)),
      ).then((responses) => responses.map((res) => res.status));
      expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    });

    it('when the limit is hit, then Retry-After equals the reset the RateLimit header announces', async () => {
      const customer = await callerWithRole(ctx, 'customer');
      for (let i = 0; i < LIMIT; i += 1) await request(ctx.app).get('/api/v1/auth/me').set(customer.headers);
      const refused = await request(ctx.app).get('/api/v1/auth/me').set(customer.headers);
      expectErrorContract(refused, 429, 'RATE_LIMITED');
      const header = rateLimitHeader(refused.headers.ratelimit);
      expect(header).toMatchObject({ limit: LIMIT, remaining: 0 });
      expect(header.reset).toBeGreaterThan(0);
      expect(header.reset).toBeLessThanOrEqual(60);
      expect(Number(refused.headers['retry-after'])).toBe(header.reset);
    });

    it('when a token is invalid, then the request is counted against the IP, not an account', async () => {
      const res = await request(ctx.app).get('/api/v1/auth/me').set('Authorization', 'Bearer not.a.token');
      expect(rateLimitHeader(res.headers.ratelimit).limit).toBe(LIMIT);
      expectErrorContract(res, 401, 'TOKEN_INVALID');
    });
  });

  describe('GET /health, /ready, /metrics', () => {
    it('when anonymous callers have exhausted the limit, then probes and scrapes still answer 200 and are not counted', async () => {
      let refused = false;
      for (let i = 0; i <= LIMIT && !refused; i += 1) refused = (await request(ctx.app).get('/api/v1/products')).status === 429;
      expect(refused).toBe(true);
      for (let round = 0; round < LIMIT + 1; round += 1) {
        for (const path of ['/health', '/ready', '/metrics']) {
          const res = await request(ctx.app).get(path);
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
          expect(res.headers.ratelimit).toBeUndefined();
        }
      }
    });
  });
});

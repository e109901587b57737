// Attack suite, part 3: forged and stale tokens, refresh-token reuse, brute force and user enumeration.
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, uniqueEmail, type RegisteredUser } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { attack } from './harness';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('attack suite: authentication', () => {
  useTestDatabase();
  let ctx: TestContext;
  let user: RegisteredUser;
  const routes = () => ctx.routes;
  const me = (token: string) => request(ctx.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
  const claims = () => ({ sub: user.accountId, role: 'admin', jti: 'attack', iss: ctx.config.auth.jwtIssuer, aud: ctx.config.auth.jwtAudience });

  beforeAll(async () => {
    // No lockout during the enumeration timing runs; brute force has its own context below.
    ctx = await createTestContext({ env: { MAX_FAILED_LOGINS: '100' } });
    user = await registerAndLogin(ctx);
  });
  afterAll(async () => ctx.close());

  describe('tokens', () => {
    attack(
      { id: 'JWT-01', vector: 'JWT with alg "none"', route: 'GET /api/v1/auth/me', payload: 'header {"alg":"none"}, role admin, empty signature', expected: '401 TOKEN_INVALID' },
      routes,
      async (see) => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims(), exp: Math.floor(Date.now() / 1000) + 60 })}.`;
        expectErrorContract(see(await me(token)), 401, 'TOKEN_INVALID');
      },
    );

    attack(
      { id: 'JWT-02', vector: 'JWT signed with a guessed secret', route: 'GET /api/v1/auth/me', payload: 'HS256 token, role admin, signed with "secret"', expected: '401 TOKEN_INVALID' },
      routes,
      async (see) => {
        const token = jwt.sign(claims(), 'secret', { algorithm: 'HS256', expiresIn: 60 });
        expectErrorContract(see(await me(token)), 401, 'TOKEN_INVALID');
      },
    );

    attack(
      { id: 'JWT-03', vector: 'Expired JWT', route: 'GET /api/v1/auth/me', payload: 'correctly signed token, exp 30 s in the past', expected: '401 TOKEN_EXPIRED' },
      routes,
      async (see) => {
        const token = jwt.sign(claims(), ctx.config.auth.jwtSecret, { algorithm: 'HS256', expiresIn: -30 });
        expectErrorContract(see(await me(token)), 401, 'TOKEN_EXPIRED');
      },
    );

    attack(
      { id: 'JWT-04', vector: 'Valid JWT of a deleted account', route: 'GET /api/v1/auth/me', payload: 'unexpired token; an admin soft-deleted the account', expected: '401 ACCOUNT_INACTIVE' },
      routes,
      async (see) => {
        const victim = await registerAndLogin(ctx);
        const admin = await callerWithRole(ctx, 'admin');
        expect((await request(ctx.app).delete(`/api/v1/accounts/${victim.accountId}`).set(admin.headers)).status).toBe(204);
        expectErrorContract(see(await me(victim.accessToken)), 401, 'ACCOUNT_INACTIVE');
      },
    );

    attack(
      { id: 'JWT-05', vector: 'Refresh-token reuse', route: 'POST /api/v1/auth/refresh', payload: 'refresh with token A (→ B), then replay A', expected: '401 REFRESH_TOKEN_REUSED and B is revoked too' },
      routes,
      async (see) => {
        const victim = await registerAndLogin(ctx);
        const refresh = (refreshToken: string) => request(ctx.app).post('/api/v1/auth/refresh').send({ refreshToken });
        const rotated = await refresh(victim.refreshToken);
        expectSuccess(rotated);
        const replay = see(await refresh(victim.refreshToken));
        expectErrorContract(replay, 401, 'REFRESH_TOKEN_REUSED');
        expect((await refresh(rotated.body.data.tokens.refreshToken)).status).toBe(401);
      },
    );
  });

  describe('user enumeration', () => {
    const login = (email: string, password: string) => request(ctx.app).post('/api/v1/auth/login').send({ email, password });

    attack(
      { id: 'ENUM-01', vector: 'Enumeration through login messages', route: 'POST /api/v1/auth/login', payload: 'wrong password for a known email vs an unknown email', expected: 'identical 401 INVALID_CREDENTIALS status, code and message' },
      routes,
      async (see) => {
        const known = await login(user.email, 'wrong password!');
        const unknown = see(await login(uniqueEmail('nobody'), 'wrong password!'));
        expectErrorContract(known, 401, 'INVALID_CREDENTIALS');
        expectErrorContract(unknown, 401, 'INVALID_CREDENTIALS');
        expect(unknown.body.message).toBe(known.body.message);
        expect(unknown.headers['www-authenticate']).toBe(known.headers['www-authenticate']);
      },
    );

    attack(
      { id: 'ENUM-02', vector: 'Enumeration through login timing', route: 'POST /api/v1/auth/login', payload: '15 interleaved wrong-password logins for a known and an unknown email', expected: 'medians within max(25 ms, 50%) of each other' },
      routes,
      async (see) => {
        const knownTimes: number[] = [];
        const unknownTimes: number[] = [];
        for (let i = 0; i < 15; i += 1) {
          knownTimes.push(await timed(() => login(user.email, 'wrong password!')));
          unknownTimes.push(await timed(() => login(`nobody-${i}@example.test`, 'wrong password!')));
        }
        const [known, unknown] = [median(knownTimes), median(unknownTimes)];
        // Generous on purpose: a loaded 2-core machine adds noise; a missing dummy hash would
        // show as the unknown path skipping the whole verify.
        const bound = Math.max(25, 0.5 * Math.max(known, unknown));
        see(Math.abs(known - unknown) <= bound ? 'medians within bound' : 'medians differ beyond bound');
        expect(Math.abs(known - unknown)).toBeLessThanOrEqual(bound);
      },
    );

    attack(
      { id: 'ENUM-03', vector: 'Enumeration through password reset', route: 'POST /api/v1/auth/password/forgot', payload: 'a known email vs an unknown email', expected: 'identical 202 bodies' },
      routes,
      async (see) => {
        const known = await request(ctx.app).post('/api/v1/auth/password/forgot').send({ email: user.email });
        const unknown = see(await request(ctx.app).post('/api/v1/auth/password/forgot').send({ email: uniqueEmail('nobody') }));
        expect(known.status).toBe(202);
        expect(unknown.status).toBe(202);
        expect(unknown.body).toEqual(known.body);
        await ctx.container.passwordReset.drain();
      },
    );
  });

  describe('brute force', () => {
    let lockout: TestContext;
    let limited: TestContext;
    const routes = () => limited.routes;

    beforeAll(async () => {
      lockout = await createTestContext({ env: { MAX_FAILED_LOGINS: '3' } });
      limited = await createTestContext({ redis: true, env: { AUTH_RATE_LIMIT_MAX: '4' } });
    });
    afterAll(async () => Promise.all([lockout.close(), limited.close()]));

    attack(
      { id: 'BRUTE-01', vector: 'Password guessing against one account', route: 'POST /api/v1/auth/login', payload: '3 wrong passwords (MAX_FAILED_LOGINS=3), then the right one', expected: '423 ACCOUNT_LOCKED with Retry-After, even for the right password' },
      () => lockout.routes,
      async (see) => {
        const victim = await registerAndLogin(lockout);
        const login = (password: string) => request(lockout.app).post('/api/v1/auth/login').send({ email: victim.email, password });
        for (let i = 0; i < 3; i += 1) expect((await login(`guess-${i}-wrong`)).status).toBe(401);
        const res = see(await login(victim.password));
        expectErrorContract(res, 423, 'ACCOUNT_LOCKED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      },
    );

    attack(
      { id: 'BRUTE-02', vector: 'Credential stuffing from one client', route: 'POST /api/v1/auth/login', payload: '4 logins (AUTH_RATE_LIMIT_MAX=4), then login, register, password forgot and reset', expected: '429 RATE_LIMITED with Retry-After and RateLimit headers on every auth route (Redis counters)' },
      routes,
      async (see) => {
        const api = () => request(limited.app);
        for (let i = 0; i < 4; i += 1) expect((await api().post('/api/v1/auth/login').send({ email: `s${i}@example.test`, password: 'x' })).status).toBe(401);
        const blocked = [
          await api().post('/api/v1/auth/login').send({ email: 's@example.test', password: 'x' }),
          await api().post('/api/v1/auth/register').send({ firstName: 'A', lastName: 'B', email: 'r@example.test', password: 'long enough pass' }),
          await api().post('/api/v1/auth/password/forgot').send({ email: 'f@example.test' }),
          await api().post('/api/v1/auth/password/reset').send({ token: 'a'.repeat(43), password: 'long enough pass' }),
        ];
        for (const res of blocked) {
          expectErrorContract(res, 429, 'RATE_LIMITED');
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          expect(res.headers.ratelimit).toBeDefined();
        }
        see(blocked[0]);
        expect(await limited.redis?.keys(`${limited.config.redis.keyPrefix}rl:auth:*`)).toHaveLength(1);
      },
    );
  });
});

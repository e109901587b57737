// Access-token verification and refresh-token rotation, reuse detection, cookies and logout.
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { registerAndLogin, type RegisteredUser } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';

const refreshTokens = () => mongoose.connection.collection('refreshtokens');
const accountTokens = (accountId: string) => refreshTokens().find({ account: new mongoose.Types.ObjectId(accountId) }).toArray();

describe('auth tokens', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
  });
  afterAll(async () => ctx.close());

  const refresh = (refreshToken: string) => request(ctx.app).post('/api/v1/auth/refresh').send({ refreshToken });
  const me = (token: string) => request(ctx.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);

  describe('access tokens on GET /api/v1/auth/me', () => {
    let user: RegisteredUser;
    beforeAll(async () => {
      user = await registerAndLogin(ctx);
    });
    const sign = (claims: Record<string, unknown>, options: jwt.SignOptions = {}) =>
      jwt.sign({ role: 'customer', ...claims }, ctx.config.auth.jwtSecret, {
        algorithm: 'HS256',
        subject: user.accountId,
        jwtid: 'test-jti',
        issuer: ctx.config.auth.jwtIssuer,
        audience: ctx.config.auth.jwtAudience,
        expiresIn: 60,
        ...options,
      });

    it('when the token has expired, then 401 TOKEN_EXPIRED', async () => {
      const token = sign({}, { expiresIn: -30 });
      expectErrorContract(await me(token), 401, 'TOKEN_EXPIRED');
    });

    it('when the payload was tampered with (role raised), then 401 TOKEN_INVALID', async () => {
      const [header, , signature] = user.accessToken.split('.');
      const payload = JSON.parse(Buffer.from(user.accessToken.split('.')[1], 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url');
      expectErrorContract(await me(`${header}.${forged}.${signature}`), 401, 'TOKEN_INVALID');
    });

    it('when the audience is another service, then 401 TOKEN_INVALID', async () => {
      expectErrorContract(await me(sign({}, { audience: 'someone-else' })), 401, 'TOKEN_INVALID');
    });

    it('when the token says alg none, then 401 TOKEN_INVALID', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({ sub: user.accountId, role: 'admin', jti: 'x', iss: ctx.config.auth.jwtIssuer, aud: ctx.config.auth.jwtAudience, exp: Math.floor(Date.now() / 1000) + 60 }),
      ).toString('base64url');
      expectErrorContract(await me(`${header}.${payload}.`), 401, 'TOKEN_INVALID');
    });

    it('when signed with another algorithm (HS512), then 401 TOKEN_INVALID', async () => {
      expectErrorContract(await me(sign({}, { algorithm: 'HS512' })), 401, 'TOKEN_INVALID');
    });

    it('when the token is valid but its account was deleted, then 401 ACCOUNT_INACTIVE', async () => {
      const other = await registerAndLogin(ctx);
      await mongoose.connection.collection('accounts').updateOne({ email: other.email }, { $set: { deletedAt: new Date() } });
      expectErrorContract(await me(other.accessToken), 401, 'ACCOUNT_INACTIVE');
    });
  });

  describe('POST /api/v1/auth/refresh', () => {
    it('when a live refresh token is presented, then a new pair is returned and the old token is spent', async () => {
      const user = await registerAndLogin(ctx);
      const res = await refresh(user.refreshToken);
      expectSuccess(res);
      const { tokens } = res.body.data;
      expect(tokens.refreshToken).not.toBe(user.refreshToken);
      expectSuccess(await me(tokens.accessToken));

      const rows = await accountTokens(user.accountId);
      expect(rows).toHaveLength(2);
      const [first, second] = rows.sort((a, b) => a.createdAt - b.createdAt);
      expect(first.family).toBe(second.family);
      expect(first.revokedAt).toBeInstanceOf(Date);
      expect(String(first.replacedBy)).toBe(String(second._id));
      expect(second.revokedAt).toBeNull();
      // Only hashes are stored.
      expect(JSON.stringify(rows)).not.toContain(user.refreshToken);
      expect(JSON.stringify(rows)).not.toContain(tokens.refreshToken);
    });

    it('when an already rotated token is replayed, then 401 REFRESH_TOKEN_REUSED and the whole family is revoked', async () => {
      const user = await registerAndLogin(ctx);
      const rotated = (await refresh(user.refreshToken)).body.data.tokens.refreshToken;

      expectErrorContract(await refresh(user.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
      // The legitimate holder's newer token died with the family.
      expectErrorContract(await refresh(rotated), 401, 'REFRESH_TOKEN_REUSED');
      const rows = await accountTokens(user.accountId);
      expect(rows.every((row) => row.revokedAt instanceof Date)).toBe(true);
    });

    it('when the same token is refreshed twice at once, then exactly one request succeeds', async () => {
      const user = await registerAndLogin(ctx);
      const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('when the token is unknown, then 401 REFRESH_TOKEN_INVALID', async () => {
      expectErrorContract(await refresh('A'.repeat(43)), 401, 'REFRESH_TOKEN_INVALID');
    });

    it('when the token has expired, then 401 REFRESH_TOKEN_INVALID', async () => {
      const user = await registerAndLogin(ctx);
      await refreshTokens().updateMany({ account: new mongoose.Types.ObjectId(user.accountId) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      expectErrorContract(await refresh(user.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    });

    it('when no token is sent at all, then 401 REFRESH_TOKEN_MISSING', async () => {
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/refresh').send({}), 401, 'REFRESH_TOKEN_MISSING');
    });

    it('when the token is malformed, then 400 VALIDATION_FAILED', async () => {
      expectErrorContract(await refresh('not a token!'), 400, 'VALIDATION_FAILED');
    });

    it('when the account was disabled, then 401 ACCOUNT_INACTIVE and the family is revoked', async () => {
      const user = await registerAndLogin(ctx);
      await mongoose.connection.collection('accounts').updateOne({ email: user.email }, { $set: { status: 'disabled' } });
      expectErrorContract(await refresh(user.refreshToken), 401, 'ACCOUNT_INACTIVE');
      expect((await accountTokens(user.accountId)).every((row) => row.revokedAt instanceof Date)).toBe(true);
    });
  });

  describe('refresh cookie', () => {
    it('when login asks for ?cookie=true, then the refresh token arrives only as an HttpOnly SameSite=Strict cookie on the auth path', async () => {
      const user = await registerAndLogin(ctx);
      const res = await request(ctx.app).post('/api/v1/auth/login?cookie=true').send({ email: user.email, password: user.password });
      expectSuccess(res);
      expect(res.body.data.tokens).not.toHaveProperty('refreshToken');
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^refreshToken=[A-Za-z0-9_-]{43};/);
      expect(cookie).toMatch(/Path=\/api\/v1\/auth/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Expires=/);
    });

    it('when the cookie is sent to /refresh, then it rotates and a new cookie replaces it', async () => {
      const user = await registerAndLogin(ctx);
      const loginRes = await request(ctx.app).post('/api/v1/auth/login?cookie=true').send({ email: user.email, password: user.password });
      const cookie = String(loginRes.headers['set-cookie']).split(';')[0];
      const res = await request(ctx.app).post('/api/v1/auth/refresh').set('Cookie', cookie);
      expectSuccess(res);
      expect(res.body.data.tokens).not.toHaveProperty('refreshToken');
      expect(String(res.headers['set-cookie']).split(';')[0]).not.toBe(cookie);
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/refresh').set('Cookie', cookie), 401, 'REFRESH_TOKEN_REUSED');
    });

    it('when COOKIE_SECURE is on, then the cookie is marked Secure', async () => {
      const secure = await createTestContext({ env: { COOKIE_SECURE: 'true' } });
      const user = await registerAndLogin(secure);
      const res = await request(secure.app).post('/api/v1/auth/login?cookie=true').send({ email: user.email, password: user.password });
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
      await secure.close();
    });
  });

  describe('POST /api/v1/auth/logout', () => {
    it('when a refresh token is sent, then 204 and its family can no longer refresh, other sessions can', async () => {
      const user = await registerAndLogin(ctx);
      const other = (await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password })).body.data.tokens.refreshToken;
      const res = await request(ctx.app).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken });
      expect(res.status).toBe(204);
      expect(res.headers['set-cookie']).toEqual([expect.stringMatching(/^refreshToken=;/)]);
      expect((await refresh(user.refreshToken)).status).toBe(401);
      expectSuccess(await refresh(other));
    });

    it('when the token is unknown, then 204 (logout is idempotent)', async () => {
      expect((await request(ctx.app).post('/api/v1/auth/logout').send({ refreshToken: 'B'.repeat(43) })).status).toBe(204);
    });
  });

  describe('POST /api/v1/auth/logout-all', () => {
    it('when an authenticated caller logs out everywhere, then every refresh token of the account is revoked', async () => {
      const user = await registerAndLogin(ctx);
      const second = (await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password })).body.data.tokens.refreshToken;
      const res = await request(ctx.app).post('/api/v1/auth/logout-all').set(user.headers);
      expect(res.status).toBe(204);
      expect((await refresh(user.refreshToken)).status).toBe(401);
      expect((await refresh(second)).status).toBe(401);
    });

    it('when called without a token, then 401 UNAUTHORIZED', async () => {
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/logout-all'), 401, 'UNAUTHORIZED');
    });
  });
});

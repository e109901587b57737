// Registration, login, lockout and the caller's own account, over HTTP against a real database.
import mongoose from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, TEST_PASSWORD, uniqueEmail } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import type { RecordingEmailQueue } from '../support/fakes';

const accountsCollection = () => mongoose.connection.collection('accounts');

describe('auth', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true, env: { MAX_FAILED_LOGINS: '3', LOCKOUT_SECONDS: '600' } });
  });
  afterAll(async () => ctx.close());

  const register = (body: Record<string, unknown>) => request(ctx.app).post('/api/v1/auth/register').send(body);
  const login = (email: string, password: string) => request(ctx.app).post('/api/v1/auth/login').send({ email, password });

  describe('POST /api/v1/auth/register', () => {
    it('when the body is valid, then 201 returns the account without secrets, a token pair and enqueues a welcome email', async () => {
      const email = uniqueEmail('new');
      const res = await register({ firstName: '  Grace ', lastName: 'Brewster   Hopper', email: email.toUpperCase(), password: TEST_PASSWORD });
      expectSuccess(res, 201);
      const { account, tokens } = res.body.data;
      expect(account).toMatchObject({ email, firstName: 'Grace', lastName: 'Brewster Hopper', fullName: 'Grace Brewster Hopper', role: 'customer', status: 'active' });
      expect(account).not.toHaveProperty('password');
      expect(account).not.toHaveProperty('_id');
      expect(account).not.toHaveProperty('failedLoginAttempts');
      expect(res.headers.location).toBe(`/api/v1/accounts/${account.id}`);
      expect(tokens).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });
      expect((ctx.emailQueue as RecordingEmailQueue).sent).toContainEqual(expect.objectContaining({ kind: 'welcome', to: email, jobId: `welcome:${account.id}` }));

      const stored = await accountsCollection().findOne({ email });
      expect(stored?.password).toMatch(/^\$argon2id\$/);
      expect(stored?.password).not.toContain(TEST_PASSWORD);
    });

    it('when the email is already registered (in any case), then 409 EMAIL_TAKEN and no second account', async () => {
      const email = uniqueEmail('dup');
      expectSuccess(await register({ firstName: 'A', lastName: 'B', email, password: TEST_PASSWORD }), 201);
      const res = await register({ firstName: 'C', lastName: 'D', email: email.toUpperCase(), password: TEST_PASSWORD });
      expectErrorContract(res, 409, 'EMAIL_TAKEN');
      expect(await accountsCollection().countDocuments({ email })).toBe(1);
    });

    it('when the body carries a role, then 400 names the field and no account is created (mass assignment)', async () => {
      const email = uniqueEmail('sneaky');
      const res = await register({ firstName: 'Eve', lastName: 'X', email, password: TEST_PASSWORD, role: 'admin' });
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ location: 'body', path: 'role' })]);
      expect(await accountsCollection().countDocuments({ email })).toBe(0);
    });

    it('when email, password or names are invalid, then 400 lists each problem', async () => {
      const res = await register({ firstName: '', lastName: 'B', email: 'not-an-email', password: 'short' });
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'firstName', 'password']);
    });

    it('when more than five addresses are sent, then 400 and nothing is stored', async () => {
      const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'us' };
      const email = uniqueEmail('many');
      const res = await register({ firstName: 'A', lastName: 'B', email, password: TEST_PASSWORD, addresses: Array(6).fill(address) });
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(await accountsCollection().countDocuments({ email })).toBe(0);
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('when the credentials are right, then 200 with a token pair and lastLoginAt is recorded', async () => {
      const user = await registerAndLogin(ctx);
      const res = await login(user.email, user.password);
      expectSuccess(res);
      expect(res.body.data.tokens.accessToken).toEqual(expect.any(String));
      expect(res.headers['cache-control']).toBe('no-store');
      const stored = await accountsCollection().findOne({ email: user.email });
      expect(stored?.lastLoginAt).toBeInstanceOf(Date);
    });

    it('when the password is wrong or the email unknown, then both answer the same 401 INVALID_CREDENTIALS', async () => {
      const user = await registerAndLogin(ctx);
      const wrong = await login(user.email, 'not the password');
      const unknown = await login(uniqueEmail('ghost'), 'not the password');
      expectErrorContract(wrong, 401, 'INVALID_CREDENTIALS');
      expectErrorContract(unknown, 401, 'INVALID_CREDENTIALS');
      expect(wrong.body.message).toBe(unknown.body.message);
      expect(wrong.headers['www-authenticate']).toBe(unknown.headers['www-authenticate']);
    });

    it('when N wrong passwords are sent, then the account locks with 423 ACCOUNT_LOCKED, even for the right password', async () => {
      const user = await registerAndLogin(ctx);
      for (let i = 0; i < 3; i += 1) expectErrorContract(await login(user.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
      const locked = await login(user.email, user.password);
      expectErrorContract(locked, 423, 'ACCOUNT_LOCKED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(590);
      const stored = await accountsCollection().findOne({ email: user.email });
      expect(stored).toMatchObject({ status: 'locked' });
    });

    it('when someone locks an account by guessing, then its owner stays signed in: access and refresh tokens keep working', async () => {
      const user = await registerAndLogin(ctx);
      for (let i = 0; i < 3; i += 1) await login(user.email, 'attacker guess');
      expectErrorContract(await login(user.email, user.password), 423, 'ACCOUNT_LOCKED');
      const me = await request(ctx.app).get('/api/v1/auth/me').set(user.headers);
      expectSuccess(me);
      expect(me.body.data.email).toBe(user.email);
      const refreshed = await request(ctx.app).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken });
      expectSuccess(refreshed);
      expect(refreshed.body.data.tokens.accessToken).toEqual(expect.any(String));
    });

    it('when the lock has expired, then the right password signs in and resets the counter', async () => {
      const user = await registerAndLogin(ctx);
      await accountsCollection().updateOne({ email: user.email }, { $set: { status: 'locked', lockUntil: new Date(Date.now() - 1000), failedLoginAttempts: 0 } });
      expectSuccess(await login(user.email, user.password));
      expect(await accountsCollection().findOne({ email: user.email })).toMatchObject({ status: 'active', lockUntil: null, failedLoginAttempts: 0 });
    });

    it('when fewer than N failures are followed by a success, then the counter resets', async () => {
      const user = await registerAndLogin(ctx);
      await login(user.email, 'wrong password');
      await login(user.email, 'wrong password');
      expectSuccess(await login(user.email, user.password));
      expect(await accountsCollection().findOne({ email: user.email })).toMatchObject({ failedLoginAttempts: 0, status: 'active' });
    });

    it('when the account is soft-deleted, then login answers 401 INVALID_CREDENTIALS', async () => {
      const user = await registerAndLogin(ctx);
      await accountsCollection().updateOne({ email: user.email }, { $set: { deletedAt: new Date() } });
      expectErrorContract(await login(user.email, user.password), 401, 'INVALID_CREDENTIALS');
    });

    it('when the account is disabled, then the right password gets 401 ACCOUNT_INACTIVE', async () => {
      const user = await registerAndLogin(ctx);
      await accountsCollection().updateOne({ email: user.email }, { $set: { status: 'disabled' } });
      expectErrorContract(await login(user.email, user.password), 401, 'ACCOUNT_INACTIVE');
    });
  });

  describe('GET /api/v1/auth/me', () => {
    it('when called with a valid token, then 200 returns the caller', async () => {
      const user = await registerAndLogin(ctx);
      const res = await request(ctx.app).get('/api/v1/auth/me').set(user.headers);
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ id: user.accountId, email: user.email, role: 'customer' });
    });

    it('when called without a token, then 401 UNAUTHORIZED', async () => {
      expectErrorContract(await request(ctx.app).get('/api/v1/auth/me'), 401, 'UNAUTHORIZED');
    });

    it('when the role changed after the token was issued, then the database role applies', async () => {
      const caller = await callerWithRole(ctx, 'admin');
      await accountsCollection().updateOne({ _id: new mongoose.Types.ObjectId(caller.accountId) }, { $set: { role: 'customer' } });
      const res = await request(ctx.app).get('/api/v1/accounts').set(caller.headers);
      expectErrorContract(res, 403, 'FORBIDDEN');
    });
  });
});

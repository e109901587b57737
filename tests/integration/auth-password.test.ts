// Forgotten password: the reset email carries a single-use token; using it changes the password
// and ends every session; the request never reveals whether the email has an account.
import mongoose from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { registerAndLogin, uniqueEmail } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import type { RecordingEmailQueue } from '../support/fakes';

describe('password reset', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
  });
  afterAll(async () => ctx.close());

  const sent = () => (ctx.emailQueue as RecordingEmailQueue).sent;
  // The work behind a reset request runs after the 202; drain() awaits it instead of sleeping.
  const forgot = async (email: string) => {
    const res = await request(ctx.app).post('/api/v1/auth/password/forgot').send({ email });
    await ctx.container.passwordReset.drain();
    await ctx.deliverOutbox();
    return res;
  };
  const reset = (token: string, password: string) => request(ctx.app).post('/api/v1/auth/password/reset').send({ token, password });
  const resetEmailFor = (to: string) => sent().filter((e) => e.kind === 'password-reset' && e.to === to);

  describe('POST /api/v1/auth/password/forgot', () => {
    it('when the email has an account, then 202 and a reset email with a token is enqueued (token stored only hashed)', async () => {
      const user = await registerAndLogin(ctx);
      const res = await forgot(user.email.toUpperCase());
      expectSuccess(res, 202);
      const [email] = resetEmailFor(user.email);
      expect(email).toMatchObject({ jobId: expect.stringMatching(/^password-reset-requested:[0-9a-f]{24}$/), data: { name: 'Ada', token: expect.any(String), expiresInMinutes: expect.any(Number) } });
      const rows = await mongoose.connection.collection('passwordresettokens').find({}).toArray();
      expect(JSON.stringify(rows)).not.toContain(String(email.data.token));
      // The outbox held the plain token only until the job carried it.
      const events = await mongoose.connection.collection('outbox').find({ type: 'password-reset-requested' }).toArray();
      expect(events.length).toBeGreaterThan(0);
      expect(JSON.stringify(events)).not.toContain(String(email.data.token));
    });

    it('when the email is unknown, then the same 202 body and nothing is enqueued', async () => {
      const user = await registerAndLogin(ctx);
      const known = await forgot(user.email);
      const before = sent().length;
      const unknown = await forgot(uniqueEmail('nobody'));
      expectSuccess(unknown, 202);
      expect(unknown.body).toEqual(known.body);
      expect(sent()).toHaveLength(before);
    });

    it('when the email is malformed, then 400 VALIDATION_FAILED', async () => {
      expectErrorContract(await forgot('nope'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /api/v1/auth/password/reset', () => {
    it('when the emailed token is used, then the new password works, the old does not, and every refresh token is revoked', async () => {
      const user = await registerAndLogin(ctx);
      await forgot(user.email);
      const token = String(resetEmailFor(user.email).at(-1)!.data.token);

      expect((await reset(token, 'a brand new passphrase')).status).toBe(204);

      expectErrorContract(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password }), 401, 'INVALID_CREDENTIALS');
      expectSuccess(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new passphrase' }));
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401);
    });

    it('when the token is used a second time, then 400 RESET_TOKEN_INVALID and the password stays', async () => {
      const user = await registerAndLogin(ctx);
      await forgot(user.email);
      const token = String(resetEmailFor(user.email).at(-1)!.data.token);
      expect((await reset(token, 'first new passphrase')).status).toBe(204);
      expectErrorContract(await reset(token, 'second new passphrase'), 400, 'RESET_TOKEN_INVALID');
      expectSuccess(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: 'first new passphrase' }));
    });

    it('when a newer reset was requested, then the older token no longer works', async () => {
      const user = await registerAndLogin(ctx);
      await forgot(user.email);
      const older = String(resetEmailFor(user.email).at(-1)!.data.token);
      await forgot(user.email);
      expectErrorContract(await reset(older, 'another passphrase'), 400, 'RESET_TOKEN_INVALID');
    });

    it('when the token has expired, then 400 RESET_TOKEN_INVALID', async () => {
      const user = await registerAndLogin(ctx);
      await forgot(user.email);
      const token = String(resetEmailFor(user.email).at(-1)!.data.token);
      await mongoose.connection.collection('passwordresettokens').updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      expectErrorContract(await reset(token, 'another passphrase'), 400, 'RESET_TOKEN_INVALID');
    });

    it('when the new password is too short, then 400 and the token is not spent', async () => {
      const user = await registerAndLogin(ctx);
      await forgot(user.email);
      const token = String(resetEmailFor(user.email).at(-1)!.data.token);
      expectErrorContract(await reset(token, 'short'), 400, 'VALIDATION_FAILED');
      expect((await reset(token, 'long enough passphrase')).status).toBe(204);
    });

    it('when the account was locked out, then a reset unlocks it', async () => {
      const user = await registerAndLogin(ctx);
      await mongoose.connection.collection('accounts').updateOne({ email: user.email }, { $set: { status: 'locked', lockUntil: new Date(Date.now() + 60_000) } });
      await forgot(user.email);
      const token = String(resetEmailFor(user.email).at(-1)!.data.token);
      expect((await reset(token, 'unlocking passphrase')).status).toBe(204);
      expectSuccess(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: 'unlocking passphrase' }));
    });
  });
});

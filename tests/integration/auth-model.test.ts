// The Account model's own rules: hashing only on password change, serialization without secrets.
import mongoose from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { TEST_PASSWORD, uniqueEmail } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';

describe('Account model', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true, env: { AUTH_RATE_LIMIT_MAX: '2' } });
  });
  afterAll(async () => ctx.close());

  const Account = () => mongoose.connection.models.Account;

  it('when a profile field is saved, then the password hash is not recomputed', async () => {
    const created = await ctx.container.accounts.create({ firstName: 'A', lastName: 'B', email: uniqueEmail(), password: TEST_PASSWORD });
    const doc = await Account().findById(created.id).select('+password');
    const hashBefore = doc.password;
    doc.firstName = 'Changed';
    await doc.save();
    const after = await mongoose.connection.collection('accounts').findOne({ _id: doc._id });
    expect(after?.password).toBe(hashBefore);
    expect(await ctx.container.passwordHasher.verify(String(after?.password), TEST_PASSWORD)).toBe(true);
  });

  it('when a document is serialized, then it has id and fullName and no password, _id, __v or counters', async () => {
    const created = await ctx.container.accounts.create({ firstName: 'Grace', lastName: 'Hopper', email: uniqueEmail(), password: TEST_PASSWORD });
    const json = (await Account().findById(created.id).select('+password')).toJSON();
    expect(json).toMatchObject({ id: created.id, fullName: 'Grace Hopper' });
    for (const hidden of ['password', '_id', '__v', 'failedLoginAttempts', 'lockUntil']) expect(json).not.toHaveProperty(hidden);
  });

  it('when indexes are built, then emails are unique and expired refresh/reset tokens are removed by TTL indexes', async () => {
    const { models } = mongoose.connection;
    await Promise.all([models.Account.init(), models.RefreshToken.init(), models.PasswordResetToken.init()]);
    const indexes = async (name: string) => mongoose.connection.collection(name).indexes();
    expect(await indexes('accounts')).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { email: 1 }, unique: true }), expect.objectContaining({ key: { role: 1, createdAt: -1 } })]),
    );
    for (const collection of ['refreshtokens', 'passwordresettokens']) {
      expect(await indexes(collection)).toEqual(
        expect.arrayContaining([expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }), expect.objectContaining({ key: { tokenHash: 1 }, unique: true })]),
      );
    }
  });

  it('when the auth rate limit is exceeded, then 429 RATE_LIMITED with Retry-After', async () => {
    const attempt = () => request(ctx.app).post('/api/v1/auth/login').send({ email: uniqueEmail(), password: 'whatever' });
    await attempt();
    await attempt();
    const res = await attempt();
    expectErrorContract(res, 429, 'RATE_LIMITED');
    expect(res.headers['retry-after']).toEqual(expect.any(String));
  });
});

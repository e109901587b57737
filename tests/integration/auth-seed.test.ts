// Demo accounts: one per role, idempotent, able to sign in with the documented passwords.
import request from 'supertest';
import { DEMO_ACCOUNTS, seedDemoAccounts } from '../../src/services/account.seed';
import { createTestContext, type TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';

describe('seedDemoAccounts', () => {
  useTestDatabase();
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('when run twice, then each role has one demo account that signs in with its documented password', async () => {
    const first = await seedDemoAccounts(ctx.container.accounts, { isProduction: false });
    const second = await seedDemoAccounts(ctx.container.accounts, { isProduction: false });
    expect(first.created).toHaveLength(3);
    expect(second).toEqual({ created: [], skipped: DEMO_ACCOUNTS.map((d) => d.email) });
    for (const demo of DEMO_ACCOUNTS) {
      const res = await request(ctx.app).post('/api/v1/auth/login').send({ email: demo.email, password: demo.password });
      expectSuccess(res);
      expect(res.body.data.account.role).toBe(demo.role);
    }
  });

  it('when the profile is production, then it refuses and creates nothing', async () => {
    const calls: string[] = [];
    const accounts = { existsByEmail: async () => false, create: async () => calls.push('create') as never };
    await expect(seedDemoAccounts(accounts, { isProduction: true })).rejects.toThrow(/production/);
    expect(calls).toEqual([]);
  });
});

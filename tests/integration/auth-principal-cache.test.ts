// The per-process principal cache (services/auth/principal-cache.ts) must not delay role and
// status changes: two app instances share the database and Redis, as two API processes behind a
// load balancer do; each warms its cache, an admin changes the account through one of them, and
// the very next request on the *other* applies the change.
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';

/** Requests until the instance holds the caller's principal (its subscription is live once it does). */
async function warm(ctx: TestContext, caller: { accountId: string; headers: Record<string, string> }, path = '/api/v1/auth/me'): Promise<void> {
  const deadline = Date.now() + 10_000;
  do {
    expectSuccess(await request(ctx.app).get(path).set(caller.headers));
    if (ctx.container.principalCache.holds(caller.accountId)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (Date.now() < deadline);
  throw new Error('the principal cache never held the caller');
}

describe('principal cache across API processes', () => {
  useTestDatabase();
  let a: TestContext;
  let b: TestContext;
  let admin: TestCaller;
  beforeAll(async () => {
    // One key prefix for both, so they share the invalidation channel as one deployment does.
    a = await createTestContext({ redis: true, env: { PRINCIPAL_CACHE_TTL_MS: '60000' } });
    b = await createTestContext({ redis: true, env: { PRINCIPAL_CACHE_TTL_MS: '60000', REDIS_KEY_PREFIX: a.config.redis.keyPrefix } });
    admin = await callerWithRole(a, 'admin');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('when an admin demotes a manager through one instance, then the other refuses the manager on the next request although its cache is warm', async () => {
    const manager = await callerWithRole(a, 'manager');
    // A manager may list every order (staff); a customer may not ask for another account's orders.
    const staffOnly = `/api/v1/orders?account=${admin.accountId}`;
    await warm(b, manager, staffOnly);
    expectSuccess(await request(a.app).patch(`/api/v1/accounts/${manager.accountId}`).set(admin.headers).send({ role: 'customer' }));
    expectErrorContract(await request(b.app).get(staffOnly).set(manager.headers), 403, 'FORBIDDEN');
  });

  it('when an admin disables a customer through one instance, then the other answers 401 ACCOUNT_INACTIVE on the next request', async () => {
    const user = await registerAndLogin(a);
    await warm(b, user);
    await warm(a, user);
    expectSuccess(await request(a.app).patch(`/api/v1/accounts/${user.accountId}`).set(admin.headers).send({ status: 'disabled' }));
    expectErrorContract(await request(b.app).get('/api/v1/auth/me').set(user.headers), 401, 'ACCOUNT_INACTIVE');
    expectErrorContract(await request(a.app).get('/api/v1/auth/me').set(user.headers), 401, 'ACCOUNT_INACTIVE');
  });

  it('when an admin deletes an account and restores it, then each applies on the next request on the other instance', async () => {
    const user = await registerAndLogin(a);
    await warm(b, user);
    expect((await request(a.app).delete(`/api/v1/accounts/${user.accountId}`).set(admin.headers)).status).toBe(204);
    expectErrorContract(await request(b.app).get('/api/v1/auth/me').set(user.headers), 401, 'ACCOUNT_INACTIVE');
    expectSuccess(await request(a.app).post(`/api/v1/accounts/${user.accountId}/restore`).set(admin.headers));
    expectSuccess(await request(b.app).get('/api/v1/auth/me').set(user.headers));
  });

  it('when an admin promotes a customer, then the other instance grants the new role on the next request', async () => {
    const user = await registerAndLogin(a);
    await warm(b, user);
    expectErrorContract(await request(b.app).get('/api/v1/accounts').set(user.headers), 403, 'FORBIDDEN');
    expectSuccess(await request(a.app).patch(`/api/v1/accounts/${user.accountId}`).set(admin.headers).send({ role: 'admin' }));
    expectSuccess(await request(b.app).get('/api/v1/accounts').set(user.headers));
  });
});

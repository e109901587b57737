// Account administration over HTTP: who may read and change which account, pagination, soft delete.
import mongoose from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, uniqueEmail, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';

const accountsCollection = () => mongoose.connection.collection('accounts');
const storedAccount = (id: string) => accountsCollection().findOne({ _id: new mongoose.Types.ObjectId(id) });

describe('accounts', () => {
  useTestDatabase();
  let ctx: TestContext;
  let admin: TestCaller;
  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    admin = await callerWithRole(ctx, 'admin');
  });
  afterAll(async () => ctx.close());

  describe('GET /api/v1/accounts', () => {
    const tag = `list${Date.now()}`;
    beforeAll(async () => {
      for (let i = 0; i < 5; i += 1) await registerAndLogin(ctx, { email: `${tag}-${i}@example.test` });
      await callerWithRole(ctx, 'manager');
    });
    const list = (query: string) => request(ctx.app).get(`/api/v1/accounts?${query}`).set(admin.headers);

    it('when an admin filters by email prefix in offset mode, then the page, total and pages are returned', async () => {
      const res = await list(`email=${tag.toUpperCase()}&limit=2&page=2&sort=email`);
      expectSuccess(res);
      expect(res.body.data.map((a: { email: string }) => a.email)).toEqual([`${tag}-2@example.test`, `${tag}-3@example.test`]);
      expect(res.body.meta).toEqual({ pagination: 'offset', page: 2, limit: 2, total: 5, totalPages: 3, hasNext: true, hasPrev: true });
      expect(res.body.data[0]).not.toHaveProperty('password');
    });

    it('when an admin walks cursor mode with the deprecated mode= and sort=-field aliases, then every matching account is returned once, in order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await list(`email=${tag}&limit=2&sort=-email&${cursor ? `cursor=${cursor}` : 'mode=cursor'}`);
        expectSuccess(res);
        expect(res.body.meta).not.toHaveProperty('total');
        seen.push(...res.body.data.map((a: { email: string }) => a.email));
        cursor = res.body.meta.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${tag}-${i}@example.test`));
    });

    it('when filtering by role, then only that role is listed', async () => {
      const res = await list('role=manager');
      expectSuccess(res);
      expect(res.body.data.length).toBeGreaterThan(0);
      expect(res.body.data.every((a: { role: string }) => a.role === 'manager')).toBe(true);
    });

    it('when the sort is not whitelisted or page and cursor are mixed, then 400 VALIDATION_FAILED', async () => {
      expectErrorContract(await list('sort=password'), 400, 'VALIDATION_FAILED');
      expectErrorContract(await list('page=1&cursor=abc'), 400, 'VALIDATION_FAILED');
    });

    it('when the cursor is forged, then 400 VALIDATION_FAILED', async () => {
      expectErrorContract(await list('cursor=bm90LWpzb24'), 400, 'VALIDATION_FAILED');
      expectErrorContract(await list('cursor=bm90LWpzb24.c2lnbmF0dXJl'), 400, 'VALIDATION_FAILED');
    });

    it('when both the deprecated mode= and pagination= are sent, then 400 VALIDATION_FAILED', async () => {
      expectErrorContract(await list('mode=cursor&pagination=offset'), 400, 'VALIDATION_FAILED');
    });

    it('when a manager or customer lists accounts, then 403 FORBIDDEN', async () => {
      const manager = await callerWithRole(ctx, 'manager');
      expectErrorContract(await request(ctx.app).get('/api/v1/accounts').set(manager.headers), 403, 'FORBIDDEN');
    });
  });

  describe('GET /api/v1/accounts/:id', () => {
    it('when a customer reads their own account, then 200', async () => {
      const user = await registerAndLogin(ctx);
      const res = await request(ctx.app).get(`/api/v1/accounts/${user.accountId}`).set(user.headers);
      expectSuccess(res);
      expect(res.body.data.id).toBe(user.accountId);
    });

    it("when a customer reads another account, then 403 FORBIDDEN", async () => {
      const [alice, bob] = [await registerAndLogin(ctx), await registerAndLogin(ctx)];
      expectErrorContract(await request(ctx.app).get(`/api/v1/accounts/${bob.accountId}`).set(alice.headers), 403, 'FORBIDDEN');
    });

    it('when an admin reads any account, then 200', async () => {
      const user = await registerAndLogin(ctx);
      expectSuccess(await request(ctx.app).get(`/api/v1/accounts/${user.accountId}`).set(admin.headers));
    });

    it('when the id is not an ObjectId, then 400 in the contract', async () => {
      const res = await request(ctx.app).get('/api/v1/accounts/not-an-id').set(admin.headers);
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ location: 'params', path: 'id' })]);
    });

    it('when the account does not exist, then 404 ACCOUNT_NOT_FOUND', async () => {
      expectErrorContract(await request(ctx.app).get(`/api/v1/accounts/${new mongoose.Types.ObjectId()}`).set(admin.headers), 404, 'ACCOUNT_NOT_FOUND');
    });
  });

  describe('PATCH /api/v1/accounts/:id', () => {
    it('when a customer changes their own names and addresses, then 200 and they are stored normalised', async () => {
      const user = await registerAndLogin(ctx);
      const res = await request(ctx.app)
        .patch(`/api/v1/accounts/${user.accountId}`)
        .set(user.headers)
        .send({ firstName: '  Ada  Augusta ', addresses: [{ line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'gb' }] });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ firstName: 'Ada Augusta', fullName: 'Ada Augusta Lovelace', addresses: [expect.objectContaining({ country: 'GB', id: expect.any(String) })] });
    });

    it('when a customer tries to raise their own role, then 403 ACCOUNT_FIELD_FORBIDDEN and the role is unchanged', async () => {
      const user = await registerAndLogin(ctx);
      const res = await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(user.headers).send({ role: 'admin' });
      expectErrorContract(res, 403, 'ACCOUNT_FIELD_FORBIDDEN');
      expect(await storedAccount(user.accountId)).toMatchObject({ role: 'customer' });
    });

    it("when a customer changes someone else's account, then 403 and nothing changes", async () => {
      const [alice, bob] = [await registerAndLogin(ctx), await registerAndLogin(ctx)];
      expectErrorContract(await request(ctx.app).patch(`/api/v1/accounts/${bob.accountId}`).set(alice.headers).send({ firstName: 'Hacked' }), 403, 'FORBIDDEN');
      expect(await storedAccount(bob.accountId)).toMatchObject({ firstName: 'Ada' });
    });

    it('when an admin promotes a customer, then the new role applies to their existing token at once', async () => {
      const user = await registerAndLogin(ctx);
      expectErrorContract(await request(ctx.app).get('/api/v1/accounts').set(user.headers), 403, 'FORBIDDEN');
      const res = await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(admin.headers).send({ role: 'admin' });
      expectSuccess(res);
      expect(res.body.data.role).toBe('admin');
      expectSuccess(await request(ctx.app).get('/api/v1/accounts').set(user.headers));
    });

    it('when an admin disables an account, then its tokens stop working and its refresh tokens are revoked', async () => {
      const user = await registerAndLogin(ctx);
      expectSuccess(await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(admin.headers).send({ status: 'disabled' }));
      expectErrorContract(await request(ctx.app).get('/api/v1/auth/me').set(user.headers), 401, 'ACCOUNT_INACTIVE');
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401);
    });

    it('when an admin locks an account, then its tokens stop working until an admin re-activates it', async () => {
      const user = await registerAndLogin(ctx);
      expectSuccess(await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(admin.headers).send({ status: 'locked' }));
      expectErrorContract(await request(ctx.app).get('/api/v1/auth/me').set(user.headers), 401, 'ACCOUNT_INACTIVE');
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password }), 423, 'ACCOUNT_LOCKED');
      expectSuccess(await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(admin.headers).send({ status: 'active' }));
      expectSuccess(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password }));
    });

    it('when an admin changes their own role, then 403 SELF_ADMINISTRATION_FORBIDDEN', async () => {
      const res = await request(ctx.app).patch(`/api/v1/accounts/${admin.accountId}`).set(admin.headers).send({ role: 'customer' });
      expectErrorContract(res, 403, 'SELF_ADMINISTRATION_FORBIDDEN');
    });

    it('when the body is empty or sets the email, then 400 VALIDATION_FAILED', async () => {
      const user = await registerAndLogin(ctx);
      expectErrorContract(await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(user.headers).send({}), 400, 'VALIDATION_FAILED');
      expectErrorContract(await request(ctx.app).patch(`/api/v1/accounts/${user.accountId}`).set(user.headers).send({ email: uniqueEmail() }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('PATCH /api/v1/accounts/me', () => {
    it('when the caller updates their profile, then 200', async () => {
      const user = await registerAndLogin(ctx);
      const res = await request(ctx.app).patch('/api/v1/accounts/me').set(user.headers).send({ lastName: 'Byron' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ id: user.accountId, lastName: 'Byron' });
    });

    it('when the body carries role or status, then 400 and nothing changes', async () => {
      const user = await registerAndLogin(ctx);
      expectErrorContract(await request(ctx.app).patch('/api/v1/accounts/me').set(user.headers).send({ role: 'admin' }), 400, 'VALIDATION_FAILED');
      expect(await storedAccount(user.accountId)).toMatchObject({ role: 'customer' });
    });
  });

  describe('DELETE /api/v1/accounts/:id', () => {
    it('when an admin deletes an account, then 204, it cannot log in, its tokens stop, and its email stays reserved', async () => {
      const user = await registerAndLogin(ctx);
      expect((await request(ctx.app).delete(`/api/v1/accounts/${user.accountId}`).set(admin.headers)).status).toBe(204);
      expect((await storedAccount(user.accountId))?.deletedAt).toBeInstanceOf(Date);
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password }), 401, 'INVALID_CREDENTIALS');
      expectErrorContract(await request(ctx.app).get('/api/v1/auth/me').set(user.headers), 401, 'ACCOUNT_INACTIVE');
      expectErrorContract(await request(ctx.app).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }), 401);
      const again = await request(ctx.app).post('/api/v1/auth/register').send({ firstName: 'A', lastName: 'B', email: user.email, password: user.password });
      expectErrorContract(again, 409, 'EMAIL_TAKEN');
      expectErrorContract(await request(ctx.app).get(`/api/v1/accounts/${user.accountId}`).set(admin.headers), 404, 'ACCOUNT_NOT_FOUND');
    });

    it('when a customer deletes an account, then 403 and it stays', async () => {
      const [alice, bob] = [await registerAndLogin(ctx), await registerAndLogin(ctx)];
      expectErrorContract(await request(ctx.app).delete(`/api/v1/accounts/${bob.accountId}`).set(alice.headers), 403, 'FORBIDDEN');
      expect((await storedAccount(bob.accountId))?.deletedAt).toBeNull();
    });

    it('when the account is already deleted, then 404 ACCOUNT_NOT_FOUND', async () => {
      const user = await registerAndLogin(ctx);
      await request(ctx.app).delete(`/api/v1/accounts/${user.accountId}`).set(admin.headers);
      expectErrorContract(await request(ctx.app).delete(`/api/v1/accounts/${user.accountId}`).set(admin.headers), 404, 'ACCOUNT_NOT_FOUND');
    });
  });

  describe('POST /api/v1/accounts/:id/restore', () => {
    it('when an admin restores a deleted account, then it can sign in again', async () => {
      const user = await registerAndLogin(ctx);
      await request(ctx.app).delete(`/api/v1/accounts/${user.accountId}`).set(admin.headers);
      const res = await request(ctx.app).post(`/api/v1/accounts/${user.accountId}/restore`).set(admin.headers);
      expectSuccess(res);
      expect(res.body.data.deletedAt).toBeNull();
      expectSuccess(await request(ctx.app).post('/api/v1/auth/login').send({ email: user.email, password: user.password }));
    });

    it('when the account is not deleted, then 404 ACCOUNT_NOT_FOUND', async () => {
      const user = await registerAndLogin(ctx);
      expectErrorContract(await request(ctx.app).post(`/api/v1/accounts/${user.accountId}/restore`).set(admin.headers), 404, 'ACCOUNT_NOT_FOUND');
    });
  });
});

// Reading, listing, cancelling and moving orders along their lifecycle: access control (IDOR),
// optimistic locking, restock-once under concurrent cancels, status emails and the stale sweep.
import { Types } from 'mongoose';
import request from 'supertest';
import { Order } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import type { RecordingEmailQueue } from '../support/fakes';
import { placeOrder, productsWithStock, recipientOf, stockOf } from './orders.fixture';

useTestDatabase();

describe('orders lifecycle', () => {
  let ctx: TestContext;
  let alice: TestCaller;
  let bob: TestCaller;
  let manager: TestCaller;
  let admin: TestCaller;

  beforeAll(async () => {
    ctx = await createTestContext();
    [alice, bob, manager, admin] = await Promise.all([
      callerWithRole(ctx, 'customer'),
      callerWithRole(ctx, 'customer'),
      callerWithRole(ctx, 'manager'),
      callerWithRole(ctx, 'admin'),
    ]);
  });
  afterAll(async () => ctx.close());

  const sent = () => (ctx.emailQueue as RecordingEmailQueue).sent;
  const cancel = (caller: TestCaller, id: string, body: Record<string, unknown> = {}) => request(ctx.app).post(`/api/v1/orders/${id}/cancel`).set(caller.headers).send(body);
  const setStatus = (caller: TestCaller, id: string, status: string, version?: number) =>
    request(ctx.app).patch(`/api/v1/orders/${id}/status`).set(caller.headers).send({ status, ...(version !== undefined && { version }) });

  describe('GET /api/v1/orders/:id', () => {
    it('when the owner or staff read an order, then 200 with its ETag', async () => {
      const [p] = await productsWithStock(5);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      for (const caller of [alice, manager, admin]) {
        const res = await request(ctx.app).get(`/api/v1/orders/${order.id}`).set(caller.headers);
        expectSuccess(res);
        expect(res.body.data.id).toBe(order.id);
        expect(res.headers.etag).toBe(`"${order.id}-v1"`);
      }
    });

    it("when a customer reads another customer's order, then 404 exactly like a missing order", async () => {
      const [p] = await productsWithStock(5);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      const theirs = await request(ctx.app).get(`/api/v1/orders/${order.id}`).set(bob.headers);
      const missing = await request(ctx.app).get(`/api/v1/orders/${new Types.ObjectId().toHexString()}`).set(bob.headers);
      expectErrorContract(theirs, 404, 'ORDER_NOT_FOUND');
      expectErrorContract(missing, 404, 'ORDER_NOT_FOUND');
      expect(theirs.body.message).toBe(missing.body.message);
    });

    it('when the id is malformed, then 400', async () => {
      expectErrorContract(await request(ctx.app).get('/api/v1/orders/not-an-id').set(alice.headers), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET /api/v1/orders', () => {
    it('when a customer lists, then only their own orders come back, and asking for another account is 403', async () => {
      const [p] = await productsWithStock(20);
      const mine = await placeOrder(ctx, bob.headers, [{ productId: p, quantity: 1 }]);
      await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      const res = await request(ctx.app).get('/api/v1/orders?limit=100').set(bob.headers);
      expectSuccess(res);
      expect(res.body.data.every((o: { accountId: string }) => o.accountId === bob.accountId)).toBe(true);
      expect(res.body.data.map((o: { id: string }) => o.id)).toContain(mine.id);
      expectErrorContract(await request(ctx.app).get(`/api/v1/orders?account=${alice.accountId}`).set(bob.headers), 403, 'FORBIDDEN');
    });

    it('when staff filter by account, status and total, then only matching orders come back, newest first', async () => {
      const [p, q] = await productsWithStock(50, 50); // prices 10.99 and 11.99
      const buyer = await callerWithRole(ctx, 'customer');
      const small = await placeOrder(ctx, buyer.headers, [{ productId: p, quantity: 1 }]);
      const big = await placeOrder(ctx, buyer.headers, [{ productId: q, quantity: 3 }]);
      const paid = await placeOrder(ctx, buyer.headers, [{ productId: p, quantity: 2 }]);
      expectSuccess(await setStatus(manager, paid.id, 'paid', 1));
      const list = (qs: string) => request(ctx.app).get(`/api/v1/orders?account=${buyer.accountId}&${qs}`).set(manager.headers);
      const all = await list('');
      expect(all.body.data.map((o: { id: string }) => o.id)).toEqual([paid.id, big.id, small.id]);
      expect(all.body.meta).toMatchObject({ pagination: 'offset', total: 3, page: 1 });
      expect((await list('status=pending')).body.data.map((o: { id: string }) => o.id)).toEqual([big.id, small.id]);
      expect((await list('minTotal=20&maxTotal=30')).body.data.map((o: { id: string }) => o.id)).toEqual([paid.id]);
      expect((await list('sort=total:desc')).body.data.map((o: { id: string }) => o.id)).toEqual([big.id, paid.id, small.id]);
      // Either bound alone is valid; bounds that contradict each other are a 400.
      expect((await list('maxTotal=20')).body.data.map((o: { id: string }) => o.id)).toEqual([small.id]);
      expect((await list(`to=${new Date(Date.now() + 60_000).toISOString()}`)).body.meta.total).toBe(3);
      expectErrorContract(await list('minTotal=30&maxTotal=20'), 400, 'VALIDATION_FAILED');
    });

    it('when staff page with cursors, then every order appears once, and a tampered cursor is 400', async () => {
      const [p] = await productsWithStock(50);
      const buyer = await callerWithRole(ctx, 'customer');
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await placeOrder(ctx, buyer.headers, [{ productId: p, quantity: 1 }])).id);
      const seen: string[] = [];
      let url = `/api/v1/orders?account=${buyer.accountId}&pagination=cursor&limit=2`;
      for (;;) {
        const res = await request(ctx.app).get(url).set(manager.headers);
        expectSuccess(res);
        seen.push(...res.body.data.map((o: { id: string }) => o.id));
        if (!res.body.meta.hasNext) break;
        url = `/api/v1/orders?account=${buyer.accountId}&limit=2&cursor=${res.body.meta.nextCursor}`;
      }
      expect(seen).toEqual([...ids].reverse());
      expectErrorContract(await request(ctx.app).get('/api/v1/orders?cursor=abc.def').set(manager.headers), 400, 'VALIDATION_FAILED');
    });

    it('when a parameter is invalid, then 400; an operator key is 400 FORBIDDEN_KEY', async () => {
      expectErrorContract(await request(ctx.app).get('/api/v1/orders?sort=hack').set(manager.headers), 400, 'VALIDATION_FAILED');
      expectErrorContract(await request(ctx.app).get('/api/v1/orders?status[$ne]=x').set(manager.headers), 400, 'FORBIDDEN_KEY');
    });
  });

  describe('POST /api/v1/orders/:id/cancel', () => {
    it('when the owner cancels a pending order, then it is cancelled, restocked, recorded and the customer is emailed', async () => {
      const [p, q] = await productsWithStock(5, 5);
      const to = await recipientOf(alice.accountId);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 2 }, { productId: q, quantity: 3 }]);
      const res = await cancel(alice, order.id, { version: 1, reason: 'changed my mind' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'cancelled', version: 2, isCancellable: false });
      expect(res.body.data.statusHistory[1]).toMatchObject({ status: 'cancelled', by: alice.accountId, reason: 'changed my mind' });
      expect([await stockOf(p), await stockOf(q)]).toEqual([5, 5]);
      expect(sent().filter((e) => e.jobId === `order-status:${order.id}:cancelled`)).toEqual([expect.objectContaining({ kind: 'order-status', to })]);
    });

    it('when two cancels race with the same version, then one wins, the other gets 409 and stock is restocked once', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 4 }]);
      const results = await Promise.all([cancel(alice, order.id, { version: 1 }), cancel(manager, order.id, { version: 1 }), cancel(alice, order.id, { version: 1 })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) expectErrorContract(r, 409, 'VERSION_CONFLICT');
      expect(await stockOf(p)).toBe(10);
    });

    it('when a cancelled order is cancelled again with its current version, then 409 INVALID_TRANSITION and no restock', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 4 }]);
      expectSuccess(await cancel(alice, order.id, { version: 1 }));
      expectErrorContract(await cancel(alice, order.id, { version: 2 }), 409, 'INVALID_TRANSITION');
      expect(await stockOf(p)).toBe(10);
    });

    it('when a customer cancels someone else\'s order, then 404 and nothing changes', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 4 }]);
      expectErrorContract(await cancel(bob, order.id, { version: 1 }), 404, 'ORDER_NOT_FOUND');
      expect((await Order.findById(order.id).lean())!.status).toBe('pending');
      expect(await stockOf(p)).toBe(6);
    });

    it('when no version is sent, then 428 VERSION_REQUIRED; a stale If-Match is 409 VERSION_CONFLICT', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      expectErrorContract(await cancel(alice, order.id), 428, 'VERSION_REQUIRED');
      expectSuccess(await setStatus(manager, order.id, 'paid', 1));
      const stale = await request(ctx.app).post(`/api/v1/orders/${order.id}/cancel`).set(alice.headers).set('If-Match', `"${order.id}-v1"`).send({});
      expectErrorContract(stale, 409, 'VERSION_CONFLICT');
      expect(stale.body.details[0].currentVersion).toBe(2);
      const fresh = await request(ctx.app).post(`/api/v1/orders/${order.id}/cancel`).set(alice.headers).set('If-Match', `"${order.id}-v2"`).send({});
      expectSuccess(fresh);
      expect(fresh.headers.etag).toBe(`"${order.id}-v3"`);
    });
  });

  describe('PATCH /api/v1/orders/:id/status', () => {
    it('when staff walk an order to delivered, then each step is recorded and emailed once', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      let version = 1;
      for (const status of ['paid', 'shipped', 'delivered']) {
        const res = await setStatus(status === 'paid' ? admin : manager, order.id, status, version);
        expectSuccess(res);
        version = res.body.data.version;
        expect(sent().filter((e) => e.jobId === `order-status:${order.id}:${status}`)).toHaveLength(1);
      }
      const final = (await request(ctx.app).get(`/api/v1/orders/${order.id}`).set(alice.headers)).body.data;
      expect(final.statusHistory.map((h: { status: string }) => h.status)).toEqual(['pending', 'paid', 'shipped', 'delivered']);
      expect(final.version).toBe(4);
    });

    it('when a transition is illegal, then 409 INVALID_TRANSITION names the allowed ones and nothing changes', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      for (const status of ['shipped', 'delivered', 'pending']) {
        const res = await setStatus(manager, order.id, status, 1);
        expectErrorContract(res, 409, 'INVALID_TRANSITION');
        expect(res.body.details[0].allowed).toEqual(['paid', 'cancelled']);
      }
      expectSuccess(await setStatus(manager, order.id, 'paid', 1));
      expectSuccess(await setStatus(manager, order.id, 'shipped', 2));
      expectErrorContract(await setStatus(manager, order.id, 'cancelled', 3), 409, 'INVALID_TRANSITION');
      expect(await stockOf(p)).toBe(9);
    });

    it('when staff cancel through the status endpoint, then stock is restocked too', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 3 }]);
      expectSuccess(await setStatus(manager, order.id, 'cancelled', 1));
      expect(await stockOf(p)).toBe(10);
    });

    it('when the version is stale, then 409 VERSION_CONFLICT', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      expectSuccess(await setStatus(manager, order.id, 'paid', 1));
      expectErrorContract(await setStatus(admin, order.id, 'shipped', 1), 409, 'VERSION_CONFLICT');
    });

    it('when a customer changes a status, then 403', async () => {
      const [p] = await productsWithStock(10);
      const order = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      expectErrorContract(await setStatus(alice, order.id, 'paid', 1), 403, 'FORBIDDEN');
    });
  });

  describe('cancelStalePending', () => {
    it('when pending orders are older than the window, then only those are cancelled and restocked', async () => {
      const [p] = await productsWithStock(10);
      const old = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 2 }]);
      const oldPaid = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 1 }]);
      expectSuccess(await setStatus(manager, oldPaid.id, 'paid', 1));
      const fresh = await placeOrder(ctx, alice.headers, [{ productId: p, quantity: 3 }]);
      const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
      await Order.collection.updateMany({ _id: { $in: [old.id, oldPaid.id].map((id) => new Types.ObjectId(id)) } }, { $set: { createdAt: twoHoursAgo } });
      const cutoff = new Date(Date.now() - ctx.config.orders.pendingTtlMinutes * 60_000);
      const { cancelled } = await ctx.container.orders.cancelStalePending(cutoff);
      expect(cancelled).toContain(old.id);
      expect(cancelled).not.toContain(oldPaid.id);
      expect(cancelled).not.toContain(fresh.id);
      expect((await Order.findById(old.id).lean())!.statusHistory.at(-1)).toMatchObject({ status: 'cancelled', by: null, reason: 'not paid in time' });
      expect(await stockOf(p)).toBe(10 - 1 - 3);
      expect((await ctx.container.orders.cancelStalePending(cutoff)).cancelled).not.toContain(old.id);
      expect(await stockOf(p)).toBe(6);
    });
  });
});

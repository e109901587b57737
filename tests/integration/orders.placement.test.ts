// POST /api/v1/orders on a replica set (the transactional path): pricing, all-or-nothing stock
// reservation under concurrency, idempotency, cache invalidation and the confirmation email.
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import request from 'supertest';
import { IdempotencyKey, Order, Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import type { RecordingEmailQueue } from '../support/fakes';
import { insertProducts } from './products.fixture';
import { ADDRESS, orderBody, productsWithStock, recipientOf, stockOf } from './orders.fixture';

useTestDatabase();

describe('POST /api/v1/orders', () => {
  let ctx: TestContext;
  let buyer: TestCaller;

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    buyer = await callerWithRole(ctx, 'customer');
  });
  afterAll(async () => ctx.close());

  const post = (caller: TestCaller, body: unknown, key?: string) => {
    const req = request(ctx.app).post('/api/v1/orders').set(caller.headers);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };

  it('when the server is a replica set, then the transactional path is used', async () => {
    expect(await ctx.container.transactions.supportsTransactions()).toBe(true);
  });

  it('when an order is placed, then 201 with catalog prices, server-computed totals, Location, ETag and stock taken', async () => {
    const [a, b] = await insertProducts([
      { name: 'Priced A', price: 19.99, stock: 5 },
      { name: 'Priced B', price: 0.1, stock: 50 },
    ]);
    const res = await post(buyer, orderBody([{ productId: a, quantity: 3 }, { productId: b, quantity: 7 }]));
    expectSuccess(res, 201);
    const order = res.body.data;
    expect(order).toMatchObject({
      accountId: buyer.accountId,
      status: 'pending',
      currency: 'USD',
      subtotal: 60.67,
      total: 60.67,
      itemCount: 10,
      isCancellable: true,
      version: 1,
      shippingAddress: ADDRESS,
      items: [
        { productId: a, name: 'Priced A', unitPrice: 19.99, quantity: 3, lineTotal: 59.97 },
        { productId: b, name: 'Priced B', unitPrice: 0.1, quantity: 7, lineTotal: 0.7 },
      ],
    });
    expect(order.statusHistory).toEqual([{ status: 'pending', at: expect.any(String), by: buyer.accountId }]);
    expect(res.headers.location).toBe(`/api/v1/orders/${order.id}`);
    expect(res.headers.etag).toBe(`"${order.id}-v1"`);
    expect([await stockOf(a), await stockOf(b)]).toEqual([2, 43]);
    const stored = await Order.collection.findOne({ _id: new Types.ObjectId(order.id) });
    expect(stored).toMatchObject({ subtotalMinor: 6067, totalMinor: 6067, items: [expect.objectContaining({ lineTotalMinor: 5997 }), expect.objectContaining({ lineTotalMinor: 70 })] });
  });

  it('when the client sends its own prices or total, then 400 and nothing is stored', async () => {
    const [a] = await productsWithStock(5);
    const before = await Order.countDocuments();
    const res = await post(buyer, { items: [{ productId: a, quantity: 1, unitPrice: 0.01 }], shippingAddress: ADDRESS, total: 0.01 });
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['items.0.unitPrice', 'total']);
    expect(await Order.countDocuments()).toBe(before);
    expect(await stockOf(a)).toBe(5);
  });

  it('when the order is placed, then the confirmation email is enqueued once with a job id from the order id', async () => {
    const [a] = await productsWithStock(5);
    const to = await recipientOf(buyer.accountId);
    const res = await post(buyer, orderBody([{ productId: a, quantity: 1 }]));
    expectSuccess(res, 201);
    await ctx.deliverOutbox();
    const sent = (ctx.emailQueue as RecordingEmailQueue).sent.filter((e) => e.jobId === `order-placed:${res.body.data.id}`);
    expect(sent).toEqual([expect.objectContaining({ kind: 'order-confirmation', to, data: expect.objectContaining({ orderId: res.body.data.id, total: 10.99 }) })]);
  });

  it('when a product is cached and then ordered, then the next read shows the new stock', async () => {
    const [a] = await productsWithStock(8);
    const first = await request(ctx.app).get(`/api/v1/products/${a}`);
    expect(first.body.data.stock).toBe(8);
    expectSuccess(await post(buyer, orderBody([{ productId: a, quantity: 3 }])), 201);
    const after = await request(ctx.app).get(`/api/v1/products/${a}`);
    expect(after.body.data.stock).toBe(5);
  });

  it("when stock was sold after a manager read the product, then the manager's stale edit is 409 instead of undoing the sale", async () => {
    const manager = await callerWithRole(ctx, 'manager');
    const [a] = await productsWithStock(8);
    const read = await request(ctx.app).get(`/api/v1/products/${a}`).set(manager.headers);
    expectSuccess(await post(buyer, orderBody([{ productId: a, quantity: 3 }])), 201);
    const stale = await request(ctx.app).patch(`/api/v1/products/${a}`).set(manager.headers).set('If-Match', read.headers.etag).send({ stock: 20 });
    expectErrorContract(stale, 409, 'VERSION_CONFLICT');
    expect(await stockOf(a)).toBe(5);
  });

  it('when products are unknown, draft or deleted, then 400 PRODUCT_UNAVAILABLE names each offending id and nothing is reserved', async () => {
    const [ok, draft, deleted] = await insertProducts([
      { name: 'Fine', price: 1, stock: 5 },
      { name: 'Draft', price: 1, stock: 5, status: 'draft' },
      { name: 'Gone', price: 1, stock: 5, deleted: true },
    ]);
    const unknown = new Types.ObjectId().toHexString();
    const items = [ok, draft, deleted, unknown].map((productId) => ({ productId, quantity: 1 }));
    const res = await post(buyer, orderBody(items));
    expectErrorContract(res, 400, 'PRODUCT_UNAVAILABLE');
    expect(res.body.details.map((d: { productId: string; path: string }) => [d.path, d.productId])).toEqual([
      ['items.1.productId', draft],
      ['items.2.productId', deleted],
      ['items.3.productId', unknown],
    ]);
    expect(await stockOf(ok)).toBe(5);
  });

  it('when an address line carries markup, then 400 names the field and nothing is reserved', async () => {
    const [a] = await productsWithStock(5);
    const res = await post(buyer, { items: [{ productId: a, quantity: 1 }], shippingAddress: { ...ADDRESS, line1: '<img src=x onerror=alert(1)>' } });
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(['shippingAddress.line1']);
    expect(await stockOf(a)).toBe(5);
  });

  it('when the same product appears twice or a quantity is not a positive integer, then 400', async () => {
    const [a] = await productsWithStock(5);
    const dup = await post(buyer, orderBody([{ productId: a, quantity: 1 }, { productId: a, quantity: 2 }]));
    expectErrorContract(dup, 400, 'VALIDATION_FAILED');
    expect(dup.body.details[0].message).toMatch(/each product variant may appear once/);
    for (const quantity of [0, -1, 1.5, '2x']) {
      expectErrorContract(await post(buyer, orderBody([{ productId: a, quantity }] as never)), 400, 'VALIDATION_FAILED');
    }
    expectErrorContract(await post(buyer, orderBody([])), 400, 'VALIDATION_FAILED');
    expect(await stockOf(a)).toBe(5);
  });

  it('when one line of a multi-line order is short, then 409 INSUFFICIENT_STOCK names it and no line is reserved', async () => {
    const [a, b, c] = await productsWithStock(5, 1, 5);
    const res = await post(buyer, orderBody([{ productId: a, quantity: 2 }, { productId: b, quantity: 2 }, { productId: c, quantity: 2 }]));
    expectErrorContract(res, 409, 'INSUFFICIENT_STOCK');
    expect(res.body.details).toEqual([{ path: 'items.1.quantity', message: 'not enough stock', productId: b, variantId: expect.any(String), requested: 2, available: 1 }]);
    expect([await stockOf(a), await stockOf(b), await stockOf(c)]).toEqual([5, 1, 5]);
  });

  it('when 60 customers order 1 unit of a product with stock 10 at once, then exactly 10 succeed and stock ends at 0', async () => {
    const [hot] = await productsWithStock(10);
    const callers = await Promise.all(Array.from({ length: 60 }, () => callerWithRole(ctx, 'customer')));
    const results = await Promise.all(callers.map((c) => post(c, orderBody([{ productId: hot, quantity: 1 }]))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(50);
    for (const r of results.filter((x) => x.status === 409)) expectErrorContract(r, 409, 'INSUFFICIENT_STOCK');
    expect(await stockOf(hot)).toBe(0);
    const sold = await Order.aggregate([{ $unwind: '$items' }, { $match: { 'items.product': new Types.ObjectId(hot) } }, { $group: { _id: null, q: { $sum: '$items.quantity' } } }]);
    expect(sold[0].q).toBe(10);
  });

  describe('Idempotency-Key', () => {
    it('when a request is retried with the same key and body, then the original response comes back and one order exists', async () => {
      const [a] = await productsWithStock(5);
      const key = randomUUID();
      const body = orderBody([{ productId: a, quantity: 2 }]);
      const first = await post(buyer, body, key);
      const second = await post(buyer, body, key);
      expectSuccess(first, 201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.location).toBe(first.headers.location);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(await Order.countDocuments({ account: new Types.ObjectId(buyer.accountId), 'items.product': new Types.ObjectId(a) })).toBe(1);
      expect(await stockOf(a)).toBe(3);
      expect(await IdempotencyKey.countDocuments({ key })).toBe(1);
    });

    it('when the same key comes with a different body, then 422 IDEMPOTENCY_KEY_REUSED and nothing changes', async () => {
      const [a] = await productsWithStock(5);
      const key = randomUUID();
      expectSuccess(await post(buyer, orderBody([{ productId: a, quantity: 1 }]), key), 201);
      const res = await post(buyer, orderBody([{ productId: a, quantity: 2 }]), key);
      expectErrorContract(res, 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await stockOf(a)).toBe(4);
    });

    it('when 10 duplicates with one key arrive at once, then one order is created and the others are told it is in progress or get its body', async () => {
      const [a] = await productsWithStock(50);
      const key = randomUUID();
      const body = orderBody([{ productId: a, quantity: 1 }]);
      const results = await Promise.all(Array.from({ length: 10 }, () => post(buyer, body, key)));
      const created = results.filter((r) => r.status === 201);
      const busy = results.filter((r) => r.status === 409);
      expect(created.length + busy.length).toBe(10);
      expect(new Set(created.map((r) => r.body.data.id)).size).toBe(1);
      expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
      for (const r of busy) {
        expectErrorContract(r, 409, 'IDEMPOTENCY_IN_PROGRESS');
        expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      expect(await Order.countDocuments({ 'items.product': new Types.ObjectId(a) })).toBe(1);
      expect(await stockOf(a)).toBe(49);
      // Once the first attempt finished, a retry gets its answer, never a contradicting one.
      const retry = await post(buyer, body, key);
      expect(retry.status).toBe(201);
      expect(retry.body.data.id).toBe(created[0]!.body.data.id);
    });

    it('when the first attempt ended in a 4xx, then a retry with the key replays that outcome instead of running again', async () => {
      const [a] = await productsWithStock(1);
      const key = randomUUID();
      const body = orderBody([{ productId: a, quantity: 2 }]);
      const first = await post(buyer, body, key);
      expectErrorContract(first, 409, 'INSUFFICIENT_STOCK');
      await Product.updateOne({ _id: a }, { $set: { stock: 10 } });
      const again = await post(buyer, body, key);
      expect(again.status).toBe(409);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await stockOf(a)).toBe(10);
    });

    it('when a route declares idempotency, then a request without a key still works (optional) and is not remembered', async () => {
      const [a] = await productsWithStock(5);
      const body = orderBody([{ productId: a, quantity: 1 }]);
      expectSuccess(await post(buyer, body), 201);
      expectSuccess(await post(buyer, body), 201);
      expect(await stockOf(a)).toBe(3);
    });

    it('when two accounts use the same key, then each gets its own order', async () => {
      const [a] = await productsWithStock(5);
      const other = await callerWithRole(ctx, 'customer');
      const key = randomUUID();
      const mine = await post(buyer, orderBody([{ productId: a, quantity: 1 }]), key);
      const theirs = await post(other, orderBody([{ productId: a, quantity: 1 }]), key);
      expect(mine.body.data.id).not.toBe(theirs.body.data.id);
      expect(await stockOf(a)).toBe(3);
    });

    it('when the stored response has expired (TTL), then the key is free again and the request runs as new', async () => {
      const [a] = await productsWithStock(5);
      const key = randomUUID();
      const body = orderBody([{ productId: a, quantity: 1 }]);
      const first = await post(buyer, body, key);
      await IdempotencyKey.updateOne({ key }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const again = await post(buyer, body, key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(again.body.data.id).not.toBe(first.body.data.id);
      expect(await stockOf(a)).toBe(3);
      expect(await IdempotencyKey.countDocuments({ key })).toBe(1);
    });

    it('when an attempt is abandoned in progress past its lease, then a retry takes the key over and runs', async () => {
      const [a] = await productsWithStock(5);
      const key = randomUUID();
      const body = orderBody([{ productId: a, quantity: 1 }]);
      const first = await post(buyer, body, key);
      // As a worker that died mid-request leaves it: still in progress, lease run out.
      await IdempotencyKey.updateOne({ key }, { $set: { state: 'in_progress', leaseUntil: new Date(Date.now() - 1000) } });
      const again = await post(buyer, body, key);
      expect(again.status).toBe(201);
      expect(again.body.data.id).not.toBe(first.body.data.id);
    });

    it('when the key is malformed, then 400 and no order', async () => {
      const [a] = await productsWithStock(5);
      const res = await post(buyer, orderBody([{ productId: a, quantity: 1 }]), 'short');
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(await stockOf(a)).toBe(5);
    });
  });

  it('when the caller is anonymous, then 401', async () => {
    const [a] = await productsWithStock(5);
    expectErrorContract(await request(ctx.app).post('/api/v1/orders').send(orderBody([{ productId: a, quantity: 1 }])), 401, 'UNAUTHORIZED');
  });
});

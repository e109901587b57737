// Attack suite, part 5: orders — IDOR, mass assignment of prices/totals/status, operators and markup in orders.
import { Types } from 'mongoose';
import request from 'supertest';
import { Order } from '../support/models';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { ADDRESS, orderBody, placeOrder, productsWithStock, stockOf } from '../integration/orders.fixture';
import { attack } from './harness';

describe('attack suite: orders', () => {
  useTestDatabase();
  let ctx: TestContext;
  let alice: TestCaller;
  let bob: TestCaller;
  let productId: string;
  let aliceOrder: { id: string };
  const routes = () => ctx.routes;
  const api = () => request(ctx.app);
  const orderStatus = async (id: string) => (await Order.findById(id).lean())?.status;

  beforeAll(async () => {
    ctx = await createTestContext();
    [alice, bob] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'customer')]);
    [productId] = await productsWithStock(50);
    aliceOrder = await placeOrder(ctx, alice.headers, [{ productId, quantity: 1 }]);
  });
  afterAll(async () => ctx.close());

  attack(
    { id: 'IDOR-04', vector: "Reading another customer's order", route: 'GET /api/v1/orders/:id', payload: "GET /orders/<alice's order> (as bob)", expected: '404 ORDER_NOT_FOUND, the same answer as a missing order' },
    routes,
    async (see) => {
      const theirs = see(await api().get(`/api/v1/orders/${aliceOrder.id}`).set(bob.headers));
      const missing = await api().get(`/api/v1/orders/${new Types.ObjectId().toString()}`).set(bob.headers);
      expectErrorContract(theirs, 404, 'ORDER_NOT_FOUND');
      expectErrorContract(missing, 404, 'ORDER_NOT_FOUND');
      expect(theirs.body.message).toBe(missing.body.message);
    },
  );

  attack(
    { id: 'IDOR-05', vector: "Cancelling another customer's order", route: 'POST /api/v1/orders/:id/cancel', payload: "POST /orders/<alice's order>/cancel {\"version\":1} (as bob)", expected: '404 ORDER_NOT_FOUND, order unchanged' },
    routes,
    async (see) => {
      const res = see(await api().post(`/api/v1/orders/${aliceOrder.id}/cancel`).set(bob.headers).send({ version: 1 }));
      expectErrorContract(res, 404, 'ORDER_NOT_FOUND');
      expect(await orderStatus(aliceOrder.id)).toBe('pending');
    },
  );

  attack(
    { id: 'IDOR-06', vector: "Listing another customer's orders", route: 'GET /api/v1/orders', payload: '?account=<alice id> (as bob)', expected: '403 FORBIDDEN' },
    routes,
    async (see) => expectErrorContract(see(await api().get(`/api/v1/orders?account=${alice.accountId}`).set(bob.headers)), 403, 'FORBIDDEN'),
  );

  attack(
    { id: 'MASS-06', vector: 'total on order placement', route: 'POST /api/v1/orders', payload: '{"items":[…],"shippingAddress":{…},"total":0.01}', expected: '400 VALIDATION_FAILED (unknown field), no order, stock unchanged' },
    routes,
    async (see) => {
      const before = await Order.countDocuments();
      const res = see(await api().post('/api/v1/orders').set(bob.headers).send(orderBody([{ productId, quantity: 1 }], { total: 0.01 })));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'total', type: 'object.unknown' })]);
      expect(await Order.countDocuments()).toBe(before);
      expect(await stockOf(productId)).toBe(49);
    },
  );

  attack(
    { id: 'MASS-07', vector: 'unit price on an order line', route: 'POST /api/v1/orders', payload: '{"items":[{"productId":"…","quantity":1,"unitPrice":0}],…}', expected: '400 VALIDATION_FAILED (unknown field), no order' },
    routes,
    async (see) => {
      const res = see(await api().post('/api/v1/orders').set(bob.headers).send(orderBody([{ productId, quantity: 1, unitPrice: 0 } as never])));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'items.0.unitPrice' })]);
    },
  );

  attack(
    { id: 'MASS-08', vector: 'status change by the customer', route: 'PATCH /api/v1/orders/:id/status', payload: 'PATCH /orders/<own order>/status {"status":"shipped","version":1} (as customer)', expected: '403 FORBIDDEN, status unchanged' },
    routes,
    async (see) => {
      const res = see(await api().patch(`/api/v1/orders/${aliceOrder.id}/status`).set(alice.headers).send({ status: 'shipped', version: 1 }));
      expectErrorContract(res, 403, 'FORBIDDEN');
      expect(await orderStatus(aliceOrder.id)).toBe('pending');
    },
  );

  attack(
    { id: 'NOSQL-08', vector: 'Operator as an order line product id', route: 'POST /api/v1/orders', payload: '{"items":[{"productId":{"$ne":null},"quantity":1}],…}', expected: '400 FORBIDDEN_KEY, no order' },
    routes,
    async (see) => {
      const res = see(await api().post('/api/v1/orders').set(bob.headers).send({ items: [{ productId: { $ne: null }, quantity: 1 }], shippingAddress: ADDRESS }));
      expectErrorContract(res, 400, 'FORBIDDEN_KEY');
    },
  );

  attack(
    { id: 'XSS-07', vector: 'Stored XSS in a shipping address', route: 'POST /api/v1/orders', payload: '{"shippingAddress":{"fullName":"<img src=x onerror=alert(1)>",…},…}', expected: '400 VALIDATION_FAILED, no order' },
    routes,
    async (see) => {
      const body = orderBody([{ productId, quantity: 1 }]);
      const res = see(await api().post('/api/v1/orders').set(bob.headers).send({ ...body, shippingAddress: { ...ADDRESS, fullName: '<img src=x onerror=alert(1)>' } }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'shippingAddress.fullName', type: 'text.markup' })]);
    },
  );
});

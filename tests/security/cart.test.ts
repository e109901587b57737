// Attack suite, part 7: the cart and checkout — another account's cart (IDOR) and price tampering
// (prices, totals and unknown fields in cart and checkout bodies; a catalog price changed between the
// cart and the order).
import { Types } from 'mongoose';
import request from 'supertest';
import { Cart, Order, Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { CHECKOUT_ADDRESS, startPaymentsApp, type PaymentsApp } from '../support/payments';
import { productsWithStock, stockOf } from '../integration/orders.fixture';
import { attack } from './harness';

describe('attack suite: cart and checkout', () => {
  useTestDatabase();
  let app: PaymentsApp;
  let alice: TestCaller;
  let bob: TestCaller;
  let productId: string;
  let variantId: string;
  const routes = () => app.ctx.routes;
  const api = () => request(app.ctx.app);
  const aliceCart = async () => (await Cart.findOne({ account: new Types.ObjectId(alice.accountId) }).lean())?.lines.map((l) => ({ variant: l.variant.toString(), quantity: l.quantity }));
  const checkout = (caller: TestCaller, body: Record<string, unknown>) =>
    api().post('/api/v1/checkout').set(caller.headers).set('Idempotency-Key', `attack-${new Types.ObjectId().toHexString()}`).send(body);

  beforeAll(async () => {
    app = await startPaymentsApp();
    [alice, bob] = await Promise.all([callerWithRole(app.ctx, 'customer'), callerWithRole(app.ctx, 'customer')]);
    [productId] = await productsWithStock(50);
    variantId = (await Product.findById(productId).lean())!.variants![0]!._id.toString();
    expectSuccess(await api().post('/api/v1/cart/items').set(alice.headers).send({ productId, variantId, quantity: 2 }));
  });
  afterAll(async () => app.close());

  attack(
    { id: 'IDOR-21', vector: "Changing another customer's cart line", route: 'PATCH /api/v1/cart/items/:variantId', payload: "PATCH /cart/items/<variant in alice's cart> {\"quantity\":1000} (as bob)", expected: "404 CART_LINE_NOT_FOUND (bob only reaches his own cart); alice's cart unchanged" },
    routes,
    async (see) => {
      expectErrorContract(see(await api().patch(`/api/v1/cart/items/${variantId}`).set(bob.headers).send({ quantity: 1000 })), 404, 'CART_LINE_NOT_FOUND');
      expect(await aliceCart()).toEqual([{ variant: variantId, quantity: 2 }]);
    },
  );

  attack(
    { id: 'IDOR-22', vector: "Removing or checking out another customer's cart", route: 'DELETE /api/v1/cart/items/:variantId', payload: "DELETE /cart/items/<variant in alice's cart>, then POST /checkout (as bob, whose cart is empty)", expected: "404 CART_LINE_NOT_FOUND, then 409 CART_EMPTY; alice's cart unchanged, no order for either" },
    routes,
    async (see) => {
      expectErrorContract(see(await api().delete(`/api/v1/cart/items/${variantId}`).set(bob.headers)), 404, 'CART_LINE_NOT_FOUND');
      expectErrorContract(await checkout(bob, { shippingAddress: CHECKOUT_ADDRESS }), 409, 'CART_EMPTY');
      expect(await aliceCart()).toEqual([{ variant: variantId, quantity: 2 }]);
      expect(await Order.countDocuments({})).toBe(0);
    },
  );

  attack(
    { id: 'IDOR-23', vector: 'Naming a cart by account in the request', route: 'GET /api/v1/cart', payload: "GET /cart?account=<alice id> (as bob)", expected: '400 VALIDATION_FAILED (no such parameter: a cart is always the caller\'s own)' },
    routes,
    async (see) => expectErrorContract(see(await api().get(`/api/v1/cart?account=${alice.accountId}`).set(bob.headers)), 400, 'VALIDATION_FAILED'),
  );

  attack(
    { id: 'MASS-21', vector: 'Price on a cart line', route: 'POST /api/v1/cart/items', payload: '{"productId":…,"variantId":…,"quantity":1,"unitPrice":0.01}', expected: "400 VALIDATION_FAILED (unknown field); the cart unchanged" },
    routes,
    async (see) => {
      const res = see(await api().post('/api/v1/cart/items').set(alice.headers).send({ productId, variantId, quantity: 1, unitPrice: 0.01 }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(await aliceCart()).toEqual([{ variant: variantId, quantity: 2 }]);
    },
  );

  attack(
    { id: 'MASS-22', vector: 'Total or prices on checkout', route: 'POST /api/v1/checkout', payload: '{"shippingAddress":{…},"total":0.01} and {"shippingAddress":{…},"items":[{"unitPrice":0.01}]}', expected: '400 VALIDATION_FAILED (unknown field); no order, stock unchanged' },
    routes,
    async (see) => {
      expectErrorContract(see(await checkout(alice, { shippingAddress: CHECKOUT_ADDRESS, total: 0.01 })), 400, 'VALIDATION_FAILED');
      expectErrorContract(await checkout(alice, { shippingAddress: CHECKOUT_ADDRESS, items: [{ productId, variantId, quantity: 1, unitPrice: 0.01 }] }), 400, 'VALIDATION_FAILED');
      expect(await Order.countDocuments({})).toBe(0);
      expect(await stockOf(productId)).toBe(50);
    },
  );

  attack(
    {
      id: 'MASS-23',
      vector: 'Checking out at the price the cart was filled at',
      route: 'POST /api/v1/checkout',
      payload: 'a line added at 10.99, the catalog price raised to 99.00, then POST /checkout',
      expected: '201; the order and its payment use 99.00 (the catalog at checkout), never the stored cart price',
    },
    routes,
    async (see) => {
      await Product.updateOne({ _id: productId }, { $set: { priceMinor: 9900, priceMinMinor: 9900, priceMaxMinor: 9900 } });
      const res = see(await checkout(alice, { shippingAddress: CHECKOUT_ADDRESS }));
      expectSuccess(res, 201);
      expect(res.body.data.order).toMatchObject({ total: 198, items: [expect.objectContaining({ unitPrice: 99 })], payment: { amount: 198 } });
    },
  );
});

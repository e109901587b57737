// Cart and checkout over HTTP with the simulated provider (its signed webhooks reach this app on a
// real port): repriced carts with per-line flags, checkout of the last unit by two customers,
// idempotent replay, paid → confirmation email through the outbox, decline → stock released,
// reservation expiry releasing stock once, another account never reaching your cart, and the
// provider down (503, nothing reserved).
import { Types } from 'mongoose';
import request from 'supertest';
import { Cart, IdempotencyKey, Order, OutboxEvent, Product, SimulatedPaymentIntent } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { ensureCategories } from '../support/categories';
import { useTestDatabase } from '../support/db';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from '../support/fake-stripe';
import type { RecordingEmailQueue } from '../support/fakes';
import { CHECKOUT_ADDRESS, checkoutOrder, checkoutResponse, confirmWith, readOrder, startPaymentsApp, type PaymentsApp } from '../support/payments';
import { createReservationExpirySweep } from '../../src/services/orders/sweep';
import { recipientOf, stockOf } from './orders.fixture';

useTestDatabase();

interface ProductBody {
  id: string;
  version: number;
  variants: { id: string; sku: string; optionValues: Record<string, string>; price: number; stock: number; active: boolean }[];
}

let seq = 0;
const sku = (label: string) => `CART-${label}-${Date.now().toString(36).toUpperCase()}-${(seq += 1)}`;

describe('cart and checkout', () => {
  let app: PaymentsApp;
  let ctx: TestContext;
  let alice: TestCaller;
  let bob: TestCaller;
  let manager: TestCaller;

  beforeAll(async () => {
    app = await startPaymentsApp();
    ctx = app.ctx;
    // Products must name an existing category.
    await ensureCategories('apparel');
    [alice, bob, manager] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'manager')]);
    await Promise.all([recipientOf(alice.accountId), recipientOf(bob.accountId)]);
  });
  afterAll(async () => app.close());

  const etag = (p: { id: string; version: number }) => `"${p.id}-v${p.version}"`;
  const cart = (caller: TestCaller) => request(ctx.app).get('/api/v1/cart').set(caller.headers);
  const add = (caller: TestCaller, body: Record<string, unknown>) => request(ctx.app).post('/api/v1/cart/items').set(caller.headers).send(body);
  const setQuantity = (caller: TestCaller, variantId: string, quantity: unknown) => request(ctx.app).patch(`/api/v1/cart/items/${variantId}`).set(caller.headers).send({ quantity });
  const remove = (caller: TestCaller, variantId: string) => request(ctx.app).delete(`/api/v1/cart/items/${variantId}`).set(caller.headers);
  const checkout = (caller: TestCaller, key: string, body: Record<string, unknown> = { shippingAddress: CHECKOUT_ADDRESS }) =>
    request(ctx.app).post('/api/v1/checkout').set(caller.headers).set('Idempotency-Key', key).send(body);
  const emails = async (kind: string, orderId: string) => {
    await ctx.deliverOutbox();
    return (ctx.emailQueue as RecordingEmailQueue).sent.filter((e) => e.kind === kind && e.data.orderId === orderId);
  };
  const variantStock = async (productId: string, variantId: string) => {
    const doc = (await Product.findById(productId).lean())!;
    return doc.variants!.find((v) => v._id.toString() === variantId)!.stock;
  };

  /** A product through the API: one variant (price 20, `stock` units) unless `second` adds another. */
  async function product(stock: number, second?: { stock: number; price?: number }): Promise<ProductBody> {
    const created = await request(ctx.app).post('/api/v1/products').set(manager.headers).send({ name: 'Checkout Tee', sku: sku('BASE'), price: 20, category: 'apparel', stock, status: 'active' });
    expectSuccess(created, 201);
    if (!second) return created.body.data;
    const p = created.body.data as ProductBody;
    expectSuccess(await request(ctx.app).patch(`/api/v1/products/${p.id}/variants/${p.variants[0]!.id}`).set(manager.headers).set('If-Match', etag(p)).send({ optionValues: { size: 'S' } }));
    const res = await request(ctx.app).post(`/api/v1/products/${p.id}/variants`).set(manager.headers).set('If-Match', `"${p.id}-v${p.version + 1}"`).send({ sku: sku('M'), optionValues: { size: 'M' }, ...second });
    expectSuccess(res, 201);
    return res.body.data;
  }
  const freshCart = async (caller: TestCaller) => expectSuccess(await request(ctx.app).delete('/api/v1/cart').set(caller.headers));

  describe('the cart', () => {
    it('when the same variant is added twice, then it is one line with the quantities summed, priced from the catalog', async () => {
      const p = await product(10);
      await freshCart(alice);
      const variantId = p.variants[0]!.id;
      expectSuccess(await add(alice, { productId: p.id, quantity: 2 }));
      const res = await add(alice, { productId: p.id, variantId, quantity: 3 });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ itemCount: 5, subtotal: 100, currency: 'USD', canCheckout: true });
      expect(res.body.data.items).toEqual([expect.objectContaining({ productId: p.id, variantId, quantity: 5, unitPrice: 20, addedUnitPrice: 20, lineTotal: 100, flags: { priceChanged: false, unavailable: false, stockShort: false } })]);
      expect(await Cart.countDocuments({ account: new Types.ObjectId(alice.accountId) })).toBe(1);
    });

    it('when the price changes, the variant goes off sale or stock runs short after adding, then the read reprices and flags each line', async () => {
      const p = await product(10, { stock: 4, price: 30 });
      await freshCart(alice);
      const [small, medium] = [p.variants[0]!, p.variants[1]!];
      expectSuccess(await add(alice, { productId: p.id, variantId: small.id, quantity: 2 }));
      expectSuccess(await add(alice, { productId: p.id, variantId: medium.id, quantity: 3 }));
      // The base price moves (S inherits it); M's stock drops below the cart's 3.
      let current = (await request(ctx.app).get(`/api/v1/products/${p.id}`)).body.data as ProductBody;
      const priced = await request(ctx.app).patch(`/api/v1/products/${p.id}`).set(manager.headers).set('If-Match', etag(current)).send({ price: 25 });
      expectSuccess(priced);
      current = priced.body.data;
      expectSuccess(await request(ctx.app).patch(`/api/v1/products/${p.id}/variants/${medium.id}`).set(manager.headers).set('If-Match', etag(current)).send({ stock: 1 }));

      const read = await cart(alice);
      expectSuccess(read);
      const [lineS, lineM] = read.body.data.items;
      expect(lineS).toMatchObject({ variantId: small.id, unitPrice: 25, addedUnitPrice: 20, lineTotal: 50, flags: { priceChanged: true, unavailable: false, stockShort: false } });
      expect(lineM).toMatchObject({ variantId: medium.id, unitPrice: 30, availableQuantity: 1, flags: { priceChanged: false, unavailable: false, stockShort: true } });
      expect(read.body.data).toMatchObject({ subtotal: 140, canCheckout: false });

      // Setting the quantity takes the price shown; deactivating M makes it unavailable and leaves it out of the subtotal.
      expect((await setQuantity(alice, small.id, 1)).body.data.items[0]).toMatchObject({ quantity: 1, addedUnitPrice: 25, flags: { priceChanged: false } });
      current = (await request(ctx.app).get(`/api/v1/products/${p.id}`)).body.data;
      expectSuccess(await request(ctx.app).patch(`/api/v1/products/${p.id}/variants/${medium.id}`).set(manager.headers).set('If-Match', etag(current)).send({ active: false }));
      const after = (await cart(alice)).body.data;
      expect(after.items[1]).toMatchObject({ variantId: medium.id, availableQuantity: 0, flags: { unavailable: true, stockShort: false } });
      expect(after).toMatchObject({ subtotal: 25, canCheckout: false });
    });

    it('when a line is removed, a quantity is out of bounds or a product needs its variant named, then the cart says so and stays as it was', async () => {
      const p = await product(10, { stock: 4 });
      await freshCart(alice);
      const small = p.variants[0]!.id;
      expectErrorContract(await add(alice, { productId: p.id, quantity: 1 }), 400, 'VARIANT_REQUIRED');
      expectErrorContract(await add(alice, { productId: new Types.ObjectId().toHexString(), quantity: 1 }), 400, 'PRODUCT_UNAVAILABLE');
      expectErrorContract(await add(alice, { productId: p.id, variantId: small, quantity: 0 }), 400, 'VALIDATION_FAILED');
      expectErrorContract(await add(alice, { productId: p.id, variantId: small, quantity: 1001 }), 400, 'VALIDATION_FAILED');
      expectSuccess(await add(alice, { productId: p.id, variantId: small, quantity: 999 }));
      expectErrorContract(await add(alice, { productId: p.id, variantId: small, quantity: 2 }), 422, 'CART_LIMIT_EXCEEDED');
      expectErrorContract(await setQuantity(alice, new Types.ObjectId().toHexString(), 1), 404, 'CART_LINE_NOT_FOUND');
      expect((await cart(alice)).body.data.items).toEqual([expect.objectContaining({ variantId: small, quantity: 999 })]);
      const removed = await remove(alice, small);
      expectSuccess(removed);
      expect(removed.body.data).toMatchObject({ items: [], itemCount: 0, subtotal: 0, currency: null, canCheckout: false });
      expectErrorContract(await remove(alice, small), 404, 'CART_LINE_NOT_FOUND');
    });

    it('when a cart was not touched for CART_TTL_DAYS, then it reads as empty, and every change pushes its expiry out (TTL index)', async () => {
      const p = await product(10);
      await freshCart(alice);
      const res = await add(alice, { productId: p.id, quantity: 1 });
      const days = (Date.parse(res.body.data.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(ctx.config.orders.cartTtlDays - 0.01);
      expect(days).toBeLessThanOrEqual(ctx.config.orders.cartTtlDays);
      expect(await Cart.collection.indexExists('expiresAt_1')).toBe(true);
      await Cart.updateOne({ account: new Types.ObjectId(alice.accountId) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      expect((await cart(alice)).body.data).toMatchObject({ items: [], itemCount: 0 });
      // A change to an expired cart starts a new one.
      expect((await add(alice, { productId: p.id, quantity: 2 })).body.data.items).toEqual([expect.objectContaining({ quantity: 2 })]);
    });

    it("when another account names your line's variant, then it only ever reaches its own cart: yours is unchanged", async () => {
      const p = await product(10);
      await Promise.all([freshCart(alice), freshCart(bob)]);
      const variantId = p.variants[0]!.id;
      expectSuccess(await add(alice, { productId: p.id, variantId, quantity: 4 }));
      expectErrorContract(await setQuantity(bob, variantId, 1), 404, 'CART_LINE_NOT_FOUND');
      expectErrorContract(await remove(bob, variantId), 404, 'CART_LINE_NOT_FOUND');
      expect((await cart(bob)).body.data.items).toEqual([]);
      expectSuccess(await request(ctx.app).delete('/api/v1/cart').set(bob.headers));
      expectErrorContract(await checkout(bob, `idor-${new Types.ObjectId().toHexString()}`), 409, 'CART_EMPTY');
      expect((await cart(alice)).body.data.items).toEqual([expect.objectContaining({ variantId, quantity: 4 })]);
      expect(await Order.countDocuments({ account: new Types.ObjectId(bob.accountId) })).toBe(0);
    });
  });

  describe('POST /api/v1/checkout', () => {
    it('when the cart is checked out, then the order awaits payment with its stock reserved, the payment exists at the provider, and the lines leave the cart', async () => {
      const p = await product(5);
      const variantId = p.variants[0]!.id;
      const res = await checkoutResponse(ctx, alice, [{ productId: p.id, variantId, quantity: 2 }]);
      expectSuccess(res, 201);
      const { order, payment } = res.body.data;
      expect(order).toMatchObject({ status: 'awaiting_payment', total: 40, items: [expect.objectContaining({ variantId, quantity: 2, unitPrice: 20 })], payment: { provider: 'simulated', status: 'requires_payment' } });
      expect(payment).toMatchObject({ provider: 'simulated', providerPaymentId: order.payment.providerPaymentId, clientSecret: expect.stringContaining('_secret_') });
      expect(res.headers.location).toBe(`/api/v1/orders/${order.id}`);
      expect(await variantStock(p.id, variantId)).toBe(3);
      expect((await SimulatedPaymentIntent.findById(payment.providerPaymentId).lean())).toMatchObject({ orderId: order.id, amountMinor: 4000, status: 'requires_payment_method' });
      expect((await cart(alice)).body.data.items).toEqual([]);
      // A checkout order's confirmation is its payment: nothing is emailed yet.
      expect(await emails('order-confirmation', order.id)).toEqual([]);
    });

    it('when the same checkout is retried with its Idempotency-Key, then the first answer is replayed: one order, one payment', async () => {
      const p = await product(5);
      const key = `checkout-replay-${new Types.ObjectId().toHexString()}`;
      const first = await checkoutResponse(ctx, alice, [{ productId: p.id, quantity: 1 }], key);
      expectSuccess(first, 201);
      const again = await checkout(alice, key);
      expectSuccess(again, 201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.data.order.id).toBe(first.body.data.order.id);
      expect(again.body.data.payment.clientSecret).toBe(first.body.data.payment.clientSecret);
      expect(await Order.countDocuments({ account: new Types.ObjectId(alice.accountId), 'items.product': new Types.ObjectId(p.id) })).toBe(1);
      expect(await SimulatedPaymentIntent.countDocuments({ orderId: first.body.data.order.id })).toBe(1);
      expect(await stockOf(p.id)).toBe(4);
      expectErrorContract(await request(ctx.app).post('/api/v1/checkout').set(alice.headers).send({ shippingAddress: CHECKOUT_ADDRESS }), 428, 'IDEMPOTENCY_KEY_REQUIRED');
    });

    it('when an attempt saved its order but died before its answer was stored, then a retry past the lease gets that order and its payment, not a second one', async () => {
      const [p, q] = [await product(5), await product(5)];
      const key = `checkout-killed-${new Types.ObjectId().toHexString()}`;
      const first = await checkoutResponse(ctx, alice, [{ productId: p.id, quantity: 1 }], key);
      expectSuccess(first, 201);
      // As a process killed after saving the order leaves it: the claim still in progress past its
      // lease, no stored answer, the line still in the cart (and the customer added another since).
      await IdempotencyKey.updateOne({ key }, { $set: { state: 'in_progress', leaseUntil: new Date(Date.now() - 1000) }, $unset: { responseStatus: 1, responseBody: 1, responseHeaders: 1 } });
      expectSuccess(await add(alice, { productId: p.id, quantity: 1 }));
      expectSuccess(await add(alice, { productId: q.id, quantity: 2 }));
      const again = await checkout(alice, key);
      expectSuccess(again, 201);
      expect(again.body.data.order.id).toBe(first.body.data.order.id);
      expect(again.body.data.payment.clientSecret).toBe(first.body.data.payment.clientSecret);
      expect(await Order.countDocuments({ idempotencyKey: key })).toBe(1);
      expect(await SimulatedPaymentIntent.countDocuments({ orderId: first.body.data.order.id })).toBe(1);
      expect([await stockOf(p.id), await stockOf(q.id)]).toEqual([4, 5]);
      // The order's line left the cart; the line added since stays.
      expect((await cart(alice)).body.data.items).toEqual([expect.objectContaining({ productId: q.id, quantity: 2 })]);
      // The same key on POST /orders is another route's key: it never answers with the checkout's order.
      const staff = await request(ctx.app).post('/api/v1/orders').set(alice.headers).set('Idempotency-Key', key).send({ items: [{ productId: q.id, quantity: 1 }], shippingAddress: CHECKOUT_ADDRESS });
      expectSuccess(staff, 201);
      expect(staff.body.data.id).not.toBe(first.body.data.order.id);
      await freshCart(alice);
    });

    it('when two customers check out the last unit at once, then exactly one order exists and the other is told the stock ran out', async () => {
      const p = await product(1);
      await Promise.all([freshCart(alice), freshCart(bob)]);
      for (const caller of [alice, bob]) expectSuccess(await add(caller, { productId: p.id, quantity: 1 }));
      const answers = await Promise.all([alice, bob].map((caller) => checkout(caller, `last-unit-${new Types.ObjectId().toHexString()}`)));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      const loser = answers.find((a) => a.status === 409)!;
      expectErrorContract(loser, 409, 'INSUFFICIENT_STOCK');
      expect(await Order.countDocuments({ 'items.product': new Types.ObjectId(p.id) })).toBe(1);
      expect(await stockOf(p.id)).toBe(0);
      // The loser keeps the line, now flagged.
      const loserCaller = answers[0]!.status === 409 ? alice : bob;
      expect((await cart(loserCaller)).body.data.items).toEqual([expect.objectContaining({ availableQuantity: 0, flags: expect.objectContaining({ stockShort: true }) })]);
    });

    it('when the customer pays with a test card, then the order is paid and the confirmation email is sent through the outbox', async () => {
      const p = await product(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p.id, quantity: 1 }]);
      const paid = await confirmWith(ctx, alice, order.providerPaymentId, '4242 4242 4242 4242');
      expectSuccess(paid);
      expect(paid.body.data.order).toMatchObject({ id: order.id, status: 'paid', payment: { status: 'succeeded' } });
      const sent = await emails('order-paid', order.id);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ jobId: `order-paid:${order.id}`, data: { total: 20, currency: 'USD' } });
      expect(await stockOf(p.id)).toBe(4);
    });

    it('when the card is declined, then the order is payment_failed and its stock is released', async () => {
      const p = await product(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p.id, quantity: 3 }]);
      expect(await stockOf(p.id)).toBe(2);
      const declined = await confirmWith(ctx, alice, order.providerPaymentId, '4000 0000 0000 9995');
      expectSuccess(declined);
      expect(declined.body.data.order).toMatchObject({ status: 'payment_failed', payment: { failureReason: 'insufficient_funds' } });
      expect(await stockOf(p.id)).toBe(5);
      expect(await emails('order-status', order.id)).toEqual([expect.objectContaining({ jobId: `order-payment-failed:${order.id}`, data: expect.objectContaining({ status: 'payment_failed' }) })]);
    });

    it('when a decline or an expired reservation gives the last units back, then they come back through the stock-write path: one back-in-stock event each', async () => {
      const p = await product(2);
      const variantId = p.variants[0]!.id;
      const backInStock = () => OutboxEvent.countDocuments({ type: 'variant-back-in-stock', aggregateId: `variant:${variantId}` });
      const declined = await checkoutOrder(ctx, alice, [{ productId: p.id, quantity: 2 }]);
      expect(await stockOf(p.id)).toBe(0);
      expectSuccess(await confirmWith(ctx, alice, declined.providerPaymentId, '4000 0000 0000 0002'));
      expect([await stockOf(p.id), await backInStock()]).toEqual([2, 1]);
      await checkoutOrder(ctx, alice, [{ productId: p.id, quantity: 2 }]);
      expect(await stockOf(p.id)).toBe(0);
      const window = ctx.config.orders.reservationMinutes;
      await createReservationExpirySweep(ctx.container.orders, window, () => new Date(Date.now() + (window + 1) * 60_000))();
      expect([await stockOf(p.id), await backInStock()]).toEqual([2, 2]);
    });

    it('when the reservation expires, then the worker task cancels the order and its payment and releases the stock exactly once, however often it runs', async () => {
      const p = await product(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p.id, quantity: 2 }]);
      expect(await stockOf(p.id)).toBe(3);
      const window = ctx.config.orders.reservationMinutes;
      const expire = createReservationExpirySweep(ctx.container.orders, window, () => new Date(Date.now() + (window + 1) * 60_000));
      // Two workers' runs at once, and a third after.
      await Promise.all([expire(), expire()]);
      await expire();
      const after = await readOrder(order.id);
      expect(after.status).toBe('cancelled');
      expect(after.statusHistory.at(-1)).toMatchObject({ status: 'cancelled', reason: 'reservation expired' });
      expect(await stockOf(p.id)).toBe(5);
      expect((await SimulatedPaymentIntent.findById(order.providerPaymentId).lean())?.status).toBe('canceled');
      expect(await emails('order-status', order.id)).toEqual([expect.objectContaining({ jobId: `order-cancelled:${order.id}` })]);
      // Paying afterwards is refused at the provider: the intent is cancelled.
      expectErrorContract(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'), 422, 'PAYMENT_PROVIDER_REJECTED');
    });

    it('when a reservation has not expired yet, or the order was paid or declined, then the task leaves it alone', async () => {
      const p = await product(5);
      const declined = await checkoutOrder(ctx, bob, [{ productId: p.id, quantity: 1 }]);
      expectSuccess(await confirmWith(ctx, bob, declined.providerPaymentId, '4000000000000002'));
      const waiting = await checkoutOrder(ctx, alice, [{ productId: p.id, quantity: 1 }]);
      const paid = await checkoutOrder(ctx, bob, [{ productId: p.id, quantity: 1 }]);
      expectSuccess(await confirmWith(ctx, bob, paid.providerPaymentId, '4242424242424242'));
      await createReservationExpirySweep(ctx.container.orders, ctx.config.orders.reservationMinutes)();
      expect((await readOrder(waiting.id)).status).toBe('awaiting_payment');
      const result = await createReservationExpirySweep(ctx.container.orders, 1, () => new Date(Date.now() + 120_000))();
      expect(result.cancelled).toBeGreaterThanOrEqual(1);
      expect((await readOrder(waiting.id)).status).toBe('cancelled');
      expect((await readOrder(paid.id)).status).toBe('paid');
      expect((await readOrder(declined.id)).status).toBe('payment_failed');
      expect(await stockOf(p.id)).toBe(4);
    });

    it('when the cart is empty, or a body carries prices, then checkout refuses and nothing is created', async () => {
      await freshCart(alice);
      const before = await Order.countDocuments({});
      expectErrorContract(await checkout(alice, `empty-${new Types.ObjectId().toHexString()}`), 409, 'CART_EMPTY');
      expectErrorContract(await checkout(alice, `priced-${new Types.ObjectId().toHexString()}`, { shippingAddress: CHECKOUT_ADDRESS, total: 0.01 }), 400, 'VALIDATION_FAILED');
      expect(await Order.countDocuments({})).toBe(before);
    });
  });

  describe('payment provider down (Stripe through its SDK against a failing fake; an app of its own for its breaker)', () => {
    let fake: FakeStripe;
    let down: TestContext;
    let carol: TestCaller;

    beforeAll(async () => {
      fake = await startFakeStripe();
      // Two failed calls (the create and its one retry) open the breaker: 2/2 > 50 %.
      down = await createTestContext({ env: fakeStripeEnv(fake, { PAYMENT_BREAKER_ERROR_PERCENT: '50', PAYMENT_BREAKER_VOLUME_THRESHOLD: '2', PAYMENT_PROVIDER_MAX_RETRIES: '1', PAYMENT_PROVIDER_RETRY_BASE_MS: '1', PAYMENT_BREAKER_RESET_MS: '60000' }) });
      carol = await callerWithRole(down, 'customer');
    });
    afterAll(async () => {
      await down.close();
      await fake.close();
    });

    it('when the provider fails, then checkout answers 503 with its stock given back; once the breaker is open, 503 at once without calling the provider, and nothing is reserved', async () => {
      const p = await product(3);
      fake.failing = true;
      const first = await checkoutResponse(down, carol, [{ productId: p.id, quantity: 2 }], `down-1-${new Types.ObjectId().toHexString()}`);
      expectErrorContract(first, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
      expect(fake.requests.filter((r) => r.path === '/v1/payment_intents')).toHaveLength(2);
      expect(down.container.paymentGuard.isOpen()).toBe(true);
      expect(await stockOf(p.id)).toBe(3);
      const orphan = await Order.findOne({ account: new Types.ObjectId(carol.accountId) }).lean();
      expect(orphan).toMatchObject({ status: 'cancelled' });
      expect(orphan!.statusHistory.at(-1)).toMatchObject({ reason: 'payment could not be created' });

      const calls = fake.requests.length;
      const second = await request(down.app).post('/api/v1/checkout').set(carol.headers).set('Idempotency-Key', `down-2-${new Types.ObjectId().toHexString()}`).send({ shippingAddress: CHECKOUT_ADDRESS });
      expectErrorContract(second, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
      expect(second.headers['retry-after']).toBe('60');
      expect(fake.requests).toHaveLength(calls);
      expect(await Order.countDocuments({ account: new Types.ObjectId(carol.accountId) })).toBe(1);
      expect(await stockOf(p.id)).toBe(3);
      // The cart is as it was: the customer can retry once the provider is back.
      expect((await request(down.app).get('/api/v1/cart').set(carol.headers)).body.data).toMatchObject({ items: [expect.objectContaining({ productId: p.id, quantity: 2 })], canCheckout: true });
    });
  });
});


// Payments with the simulated provider, end to end over HTTP: test cards → signed webhook → order
// state; duplicates, out-of-order events, refunds, cancel of a paid order, payment after expiry.
import mongoose from 'mongoose';
import request from 'supertest';
import { SimulatedPaymentIntent } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import type { TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import type { RecordingEmailQueue } from '../support/fakes';
import { checkoutOrder, confirmWith, deliver, intentObject, readOrder, sign, simulatedDashboard, startPaymentsApp, stripeEvent, type PaymentsApp } from '../support/payments';
import { productsWithStock, recipientOf, stockOf } from './orders.fixture';

useTestDatabase();

describe('payments (simulated provider)', () => {
  let app: PaymentsApp;
  let ctx: TestContext;
  let alice: TestCaller;
  let bob: TestCaller;
  let manager: TestCaller;

  beforeAll(async () => {
    app = await startPaymentsApp();
    ctx = app.ctx;
    [alice, bob, manager] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'manager')]);
    await recipientOf(alice.accountId);
  });
  afterAll(async () => app.close());

  /**
   * The emails an order led to, once the outbox relay has published what the state changes recorded.
   * Provider facts arrive by webhook, which the simulated provider posts after answering: relay
   * passes repeat until `atLeast` emails are there or 15 s pass (then the assertion shows what came).
   */
  const emails = async (kind: string, orderId: string, atLeast = 1) => {
    const found = () => (ctx.emailQueue as RecordingEmailQueue).sent.filter((e) => e.kind === kind && e.data.orderId === orderId);
    const deadline = Date.now() + 15_000;
    do {
      await ctx.deliverOutbox();
      if (found().length >= atLeast) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    return found();
  };
  const secret = () => ctx.config.payments.webhookSecret;
  const intent = async (id: string) => (await SimulatedPaymentIntent.findById(id).lean())!;
  const webhookEvents = () => mongoose.connection.collection('webhookevents');

  describe('POST /api/v1/dev/payments/:id/confirm', () => {
    it('when the customer pays with 4242 4242 4242 4242, then the signed webhook marks the order paid and the receipt is emailed', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
      const res = await confirmWith(ctx, alice, order.providerPaymentId, '4242 4242 4242 4242');
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'succeeded', declineCode: null, webhookDelivered: true });
      expect(res.body.data.order).toMatchObject({ status: 'paid', payment: { provider: 'simulated', status: 'succeeded', refunded: 0 } });
      expect(await emails('order-paid', order.id)).toHaveLength(1);
      expect(await webhookEvents().countDocuments({ type: 'payment_intent.succeeded' })).toBeGreaterThanOrEqual(1);
    });

    it('when the card is declined, then the order is payment_failed with the reason, its stock released once, the payment cancelled at the provider, and the customer is told', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
      expect(await stockOf(p)).toBe(3);
      const declined = await confirmWith(ctx, alice, order.providerPaymentId, '4000 0000 0000 0002');
      expectSuccess(declined);
      expect(declined.body.data).toMatchObject({ status: 'requires_payment_method', declineCode: 'generic_decline' });
      expect(declined.body.data.order).toMatchObject({ status: 'payment_failed', isCancellable: false, payment: { failureReason: 'generic_decline' } });
      expect(await stockOf(p)).toBe(5);
      // No later attempt can charge for the ended order: its intent is cancelled (the event recorded, the stock not released again).
      expect((await intent(order.providerPaymentId)).status).toBe('canceled');
      expect((await readOrder(order.id)).payment).toMatchObject({ status: 'canceled', failureReason: 'generic_decline' });
      expectErrorContract(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'), 422, 'PAYMENT_PROVIDER_REJECTED');
      expect(await stockOf(p)).toBe(5);
      expect((await readOrder(order.id)).statusHistory.map((h) => h.status)).toEqual(['awaiting_payment', 'payment_failed']);
      expect((await emails('order-status', order.id)).map((e) => e.data.status)).toEqual(['payment_failed']);
    });

    it('when a success still arrives for a declined order (a retry that raced the cancel), then the money is refunded automatically and no stock is taken', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const failed = stripeEvent('payment_intent.payment_failed', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'requires_payment_method', { last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' } }));
      expectSuccess(await deliver(ctx, failed, sign(failed, secret())));
      expect(await stockOf(p)).toBe(5);
      // The race: the provider took the money before our cancel reached it (here: its intent is put back to succeeded).
      await SimulatedPaymentIntent.updateOne({ _id: order.providerPaymentId }, { $set: { status: 'succeeded' } });
      const succeeded = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, succeeded, sign(succeeded, secret())));
      const after = await readOrder(order.id);
      expect(after.status).toBe('payment_failed');
      expect(after.payment).toMatchObject({ refundedMinor: order.totalMinor });
      expect(await stockOf(p)).toBe(5);
    });

    it("when someone confirms another customer's payment or uses a card that is not a test card, then 404 / 422 and nothing changes", async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      expectErrorContract(await confirmWith(ctx, bob, order.providerPaymentId, '4242424242424242'), 404, 'PAYMENT_NOT_FOUND');
      expectErrorContract(await confirmWith(ctx, alice, order.providerPaymentId, '4111 1111 1111 1111'), 422, 'PAYMENT_PROVIDER_REJECTED');
      expect((await readOrder(order.id)).status).toBe('awaiting_payment');
    });
  });

  describe('POST /api/v1/webhooks/stripe', () => {
    it('when the same event is delivered twice at once, then it takes effect once and both deliveries get 200', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const payload = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      const signature = sign(payload, secret());
      const [a, b] = await Promise.all([deliver(ctx, payload, signature), deliver(ctx, payload, signature)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect([a.body.data.duplicate, b.body.data.duplicate].sort()).toEqual([false, true]);
      const after = await readOrder(order.id);
      expect(after.status).toBe('paid');
      expect(after.statusHistory.filter((h) => h.status === 'paid')).toHaveLength(1);
      expect(await webhookEvents().countDocuments({ eventId: JSON.parse(payload).id })).toBe(1);
    });

    it('when a failure arrives after the success, then the order stays paid', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const succeeded = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      const failed = stripeEvent('payment_intent.payment_failed', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'requires_payment_method', { last_payment_error: { decline_code: 'insufficient_funds' } }));
      expectSuccess(await deliver(ctx, succeeded, sign(succeeded, secret())));
      expectSuccess(await deliver(ctx, failed, sign(failed, secret())));
      const after = await readOrder(order.id);
      expect(after.status).toBe('paid');
      expect(after.payment).toMatchObject({ status: 'succeeded' });
    });

    it('when refund reports arrive out of order, then the larger refunded total wins', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      expectSuccess(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'));
      const charge = (refunded: number) => ({ id: 'ch_x', object: 'charge', amount: order.totalMinor, amount_refunded: refunded, payment_intent: order.providerPaymentId, metadata: { orderId: order.id } });
      const full = stripeEvent('charge.refunded', charge(order.totalMinor));
      const partial = stripeEvent('charge.refunded', charge(100));
      expectSuccess(await deliver(ctx, full, sign(full, secret())));
      expectSuccess(await deliver(ctx, partial, sign(partial, secret())));
      const after = await readOrder(order.id);
      expect(after.status).toBe('refunded');
      expect(after.payment).toMatchObject({ status: 'refunded', refundedMinor: order.totalMinor });
    });

    it('when a refund is reported before the success it refunds, then 409 so the provider redelivers it, and the redelivery after the success applies', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const refunded = stripeEvent('charge.refunded', { id: 'ch_y', object: 'charge', amount: order.totalMinor, amount_refunded: order.totalMinor, payment_intent: order.providerPaymentId });
      const succeeded = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectErrorContract(await deliver(ctx, refunded, sign(refunded, secret())), 409, 'PAYMENT_EVENT_OUT_OF_ORDER');
      expect((await readOrder(order.id)).status).toBe('awaiting_payment');
      expectSuccess(await deliver(ctx, succeeded, sign(succeeded, secret())));
      const redelivered = await deliver(ctx, refunded, sign(refunded, secret()));
      expectSuccess(redelivered);
      expect(redelivered.body.data.duplicate).toBe(false);
      expect(await readOrder(order.id)).toMatchObject({ status: 'refunded', payment: { status: 'refunded', refundedMinor: order.totalMinor } });
    });

    it('when an event is for a payment we do not know, then 200 and nothing changes', async () => {
      const payload = stripeEvent('payment_intent.succeeded', intentObject('pi_unknown_1', '64f0c0ffee64f0c0ffee64f0', 500, 'succeeded'));
      const res = await deliver(ctx, payload, sign(payload, secret()));
      expectSuccess(res);
      expect(res.body.data).toEqual({ received: true, duplicate: false });
    });
  });

  describe('refunds and cancellation', () => {
    it('when staff refund part of a paid order twice with the same key, then one refund is made, the order is partially_refunded, and the rest can be refunded with another key', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 3 }]);
      expectSuccess(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'));
      const refund = (key: string, body: Record<string, unknown>) => request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', key).send(body);

      const [first, again] = [await refund('refund-key-0001', { amount: 5 }), await refund('refund-key-0001', { amount: 5 })];
      expectSuccess(first);
      expect(first.body.data).toMatchObject({ status: 'partially_refunded', payment: { refunded: 5, status: 'partially_refunded' } });
      expectSuccess(again);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.data).toEqual(first.body.data);
      expectErrorContract(await refund('refund-key-0001', { amount: 6 }), 422, 'IDEMPOTENCY_KEY_REUSED');
      expect((await intent(order.providerPaymentId)).refunds).toHaveLength(1);

      expectErrorContract(await refund('refund-key-0002', { amount: 1_000_000 }), 422, 'REFUND_EXCEEDS_REMAINING');
      const rest = await refund('refund-key-0003', {});
      expectSuccess(rest);
      expect(rest.body.data).toMatchObject({ status: 'refunded', payment: { status: 'refunded' } });
      expect((await intent(order.providerPaymentId)).amountRefundedMinor).toBe(order.totalMinor);
      expect((await emails('order-refunded', order.id, 2)).map((e) => e.data.fullyRefunded)).toEqual([false, true]);
      expectErrorContract(await refund('refund-key-0004', { amount: 1 }), 409, 'ORDER_NOT_REFUNDABLE');
    });

    it("when staff refund through the API after a dashboard refund whose event was lost, then the webhook that arrives before our call returns records both, ours once with our key and reason", async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 3 }]);
      expectSuccess(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'));
      const lost = await simulatedDashboard(app, { deliver: false }).refund(order.providerPaymentId, 100);
      expect((await readOrder(order.id)).payment!.refunds).toEqual([]);

      // The simulated provider delivers our refund's charge.refunded inside the refund call, before it returns.
      const res = await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', 'refund-key-0101').send({ amount: 2, reason: 'scratched lid' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'partially_refunded', payment: { refunded: 3, status: 'partially_refunded' } });
      const ours = (await intent(order.providerPaymentId)).refunds.find((r) => r.idempotencyKey === `refund:${order.id}:refund-key-0101`)!;
      const records = (await readOrder(order.id)).payment!.refunds;
      expect(records).toHaveLength(2);
      expect(records).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ providerRefundId: lost.providerRefundId, amountMinor: 100, idempotencyKey: `provider-refund:${lost.providerRefundId}` }),
          expect.objectContaining({ providerRefundId: ours.refundId, amountMinor: 200, idempotencyKey: `refund:${order.id}:refund-key-0101`, reason: 'scratched lid' }),
        ]),
      );
      // A retry of the same request finds its refund on the order: nothing more is refunded or recorded.
      expectSuccess(await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', 'refund-key-0101').send({ amount: 2, reason: 'scratched lid' }));
      expect((await readOrder(order.id)).payment!.refunds).toHaveLength(2);
      expect((await intent(order.providerPaymentId)).refunds).toHaveLength(2);
    });

    it('when a refund is sent without an Idempotency-Key or by a customer, then 428 / 403', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      expectErrorContract(await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).send({ amount: 1 }), 428, 'IDEMPOTENCY_KEY_REQUIRED');
      expectErrorContract(await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(alice.headers).set('Idempotency-Key', 'customer-key-1').send({ amount: 1 }), 403);
    });

    it('when the customer cancels a paid order, then it is refunded in full through the provider, restocked, and a second cancel changes nothing', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
      const paid = await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242');
      const res = await request(ctx.app).post(`/api/v1/orders/${order.id}/cancel`).set(alice.headers).send({ version: paid.body.data.order.version });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
      expect(await stockOf(p)).toBe(5);
      expect((await intent(order.providerPaymentId)).amountRefundedMinor).toBe(order.totalMinor);
      expectErrorContract(await request(ctx.app).post(`/api/v1/orders/${order.id}/cancel`).set(alice.headers).send({ version: res.body.data.version }), 409, 'INVALID_TRANSITION');
      expect((await intent(order.providerPaymentId)).refunds).toHaveLength(1);
    });

    it('when an unpaid order is cancelled, then its payment is cancelled at the provider and it can no longer be paid', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const res = await request(ctx.app).post(`/api/v1/orders/${order.id}/cancel`).set(alice.headers).send({ version: (await readOrder(order.id)).version });
      expectSuccess(res);
      expect(res.body.data.status).toBe('cancelled');
      expect(await stockOf(p)).toBe(5);
      expect((await intent(order.providerPaymentId)).status).toBe('canceled');
      expectErrorContract(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'), 422, 'PAYMENT_PROVIDER_REJECTED');
    });

    it('when the payment succeeds after the reservation expired and the order was cancelled, then the money is refunded automatically', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      // The expiry cancelled the order while the provider could not be reached: the intent stayed open.
      await ctx.container.orders.cancelUnpaid(order.id, 'reservation expired', { providerCancelled: true });
      const res = await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242');
      expectSuccess(res);
      expect(res.body.data.order).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
      expect((await intent(order.providerPaymentId)).amountRefundedMinor).toBe(order.totalMinor);
      expect(await stockOf(p)).toBe(5);
      expect(await emails('order-refunded', order.id)).toHaveLength(1);
    });
  });

  describe('PATCH /api/v1/orders/:id/status (shipping)', () => {
    it('when staff ship a paid order with a carrier and tracking number, then both are recorded and emailed; one without the other, 400', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const paid = await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242');
      const version = paid.body.data.order.version;
      const ship = (body: Record<string, unknown>) => request(ctx.app).patch(`/api/v1/orders/${order.id}/status`).set(manager.headers).send({ status: 'shipped', version, ...body });
      expectErrorContract(await ship({ carrier: 'DHL' }), 400, 'VALIDATION_FAILED');
      // Shipment details belong to status shipped only (the OpenAPI document says the same).
      const notShipping = await request(ctx.app).patch(`/api/v1/orders/${order.id}/status`).set(manager.headers).send({ status: 'delivered', version, carrier: 'DHL', trackingNumber: 'JD0146 0000 1234' });
      expectErrorContract(notShipping, 400, 'VALIDATION_FAILED');
      expect(notShipping.body.details).toEqual([expect.objectContaining({ path: 'status', message: 'carrier and trackingNumber are only sent with status shipped' })]);
      const res = await ship({ carrier: 'DHL', trackingNumber: 'JD0146 0000 1234' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'shipped', shipment: { carrier: 'DHL', trackingNumber: 'JD0146 0000 1234' } });
      expect((await emails('order-shipped', order.id))[0]?.data).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD0146 0000 1234' });
    });

    it('when staff try to mark a checkout order paid, or any order refunded, by hand, then 409 INVALID_TRANSITION and nothing changes', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const set = async (status: string) => request(ctx.app).patch(`/api/v1/orders/${order.id}/status`).set(manager.headers).send({ status, version: (await readOrder(order.id)).version });
      expectErrorContract(await set('paid'), 409, 'INVALID_TRANSITION');
      expectSuccess(await confirmWith(ctx, alice, order.providerPaymentId, '4242424242424242'));
      expectErrorContract(await set('refunded'), 409, 'INVALID_TRANSITION');
      expect((await readOrder(order.id)).payment).toMatchObject({ status: 'succeeded', refundedMinor: 0 });
    });
  });
});

// Attack suite, part 6: the payment webhook — forged, unsigned, tampered, stale and replayed
// deliveries, and a client trying to pay or refund where it may not.
import mongoose from 'mongoose';
import request from 'supertest';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { checkoutOrder, deliver, intentObject, readOrder, sign, startPaymentsApp, stripeEvent, type PaymentsApp } from '../support/payments';
import { productsWithStock } from '../integration/orders.fixture';
import { attack } from './harness';

const WEBHOOK = 'POST /api/v1/webhooks/stripe';

describe('attack suite: payments', () => {
  useTestDatabase();
  let app: PaymentsApp;
  let alice: TestCaller;
  let bob: TestCaller;
  let order: { id: string; providerPaymentId: string; totalMinor: number };
  const routes = () => app.ctx.routes;
  const ctx = () => app.ctx;
  const secret = () => app.ctx.config.payments.webhookSecret;
  const success = (id = 'evt_attack_0001') => stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'), id);
  const unchanged = async () => {
    expect((await readOrder(order.id)).status).toBe('awaiting_payment');
    expect(await mongoose.connection.collection('webhookevents').countDocuments({})).toBe(0);
  };

  beforeAll(async () => {
    app = await startPaymentsApp();
    [alice, bob] = await Promise.all([callerWithRole(ctx(), 'customer'), callerWithRole(ctx(), 'customer')]);
    const [p] = await productsWithStock(10);
    order = await checkoutOrder(ctx(), alice, [{ productId: p!, quantity: 1 }]);
  });
  afterAll(async () => app.close());

  attack(
    { id: 'PAY-01', vector: 'Forged webhook (signed with a guessed secret)', route: WEBHOOK, payload: 'payment_intent.succeeded for an unpaid order, Stripe-Signature computed with "whsec_guess"', expected: '400 WEBHOOK_SIGNATURE_INVALID; order still awaiting_payment, no event recorded' },
    routes,
    async (see) => {
      const payload = success();
      expectErrorContract(see(await deliver(ctx(), payload, sign(payload, 'whsec_guess'))), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-02', vector: 'Unsigned webhook', route: WEBHOOK, payload: 'payment_intent.succeeded without a Stripe-Signature header', expected: '400 WEBHOOK_SIGNATURE_INVALID; nothing changes' },
    routes,
    async (see) => {
      expectErrorContract(see(await deliver(ctx(), success(), false)), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-03', vector: 'Tampered webhook body', route: WEBHOOK, payload: 'a genuinely signed payment_intent.payment_failed whose body is rewritten to payment_intent.succeeded', expected: '400 WEBHOOK_SIGNATURE_INVALID (the signature covers the raw bytes); nothing changes' },
    routes,
    async (see) => {
      const genuine = stripeEvent('payment_intent.payment_failed', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'requires_payment_method'), 'evt_attack_0003');
      const signature = sign(genuine, secret());
      const tampered = genuine.replace('payment_intent.payment_failed', 'payment_intent.succeeded');
      expectErrorContract(see(await deliver(ctx(), tampered, signature)), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-04', vector: 'Re-serialised webhook body', route: WEBHOOK, payload: 'a genuinely signed event re-sent with the same JSON pretty-printed (what a JSON body parser in front of the route would cause)', expected: '400 WEBHOOK_SIGNATURE_INVALID; nothing changes' },
    routes,
    async (see) => {
      const genuine = success('evt_attack_0004');
      const reformatted = JSON.stringify(JSON.parse(genuine), null, 2);
      expectErrorContract(see(await deliver(ctx(), reformatted, sign(genuine, secret()))), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-05', vector: 'Stale webhook (replay of a captured delivery)', route: WEBHOOK, payload: 'a genuinely signed payment_intent.succeeded re-sent with its original signature 6 minutes later (tolerance 5 minutes)', expected: '400 WEBHOOK_SIGNATURE_INVALID; nothing changes' },
    routes,
    async (see) => {
      const captured = success('evt_attack_0005');
      const signature = sign(captured, secret(), new Date(Date.now() - 6 * 60_000));
      expectErrorContract(see(await deliver(ctx(), captured, signature)), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-06', vector: 'Signature from the future', route: WEBHOOK, payload: 'a correctly keyed signature with a timestamp 10 minutes ahead', expected: '400 WEBHOOK_SIGNATURE_INVALID; nothing changes' },
    routes,
    async (see) => {
      const payload = success('evt_attack_0006');
      expectErrorContract(see(await deliver(ctx(), payload, sign(payload, secret(), new Date(Date.now() + 10 * 60_000)))), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-07', vector: 'Operator keys in a webhook body do not reach queries', route: WEBHOOK, payload: 'unsigned {"data":{"object":{"id":{"$ne":null}}}}', expected: '400 WEBHOOK_SIGNATURE_INVALID before any parsing or lookup; nothing changes' },
    routes,
    async (see) => {
      const payload = JSON.stringify({ id: 'evt_x', type: 'payment_intent.succeeded', data: { object: { id: { $ne: null } } } });
      expectErrorContract(see(await deliver(ctx(), payload, 't=1,v1=00')), 400, 'WEBHOOK_SIGNATURE_INVALID');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-08', vector: "Paying (confirming) another customer's payment", route: 'POST /api/v1/dev/payments/:id/confirm', payload: "POST /dev/payments/<alice's payment>/confirm {\"cardNumber\":\"4242424242424242\"} (as bob)", expected: '404 PAYMENT_NOT_FOUND; order unchanged' },
    routes,
    async (see) => {
      const res = see(await request(ctx().app).post(`/api/v1/dev/payments/${order.providerPaymentId}/confirm`).set(bob.headers).send({ cardNumber: '4242424242424242' }));
      expectErrorContract(res, 404, 'PAYMENT_NOT_FOUND');
      await unchanged();
    },
  );

  attack(
    { id: 'PAY-09', vector: 'Refund by a customer', route: 'POST /api/v1/orders/:id/refunds', payload: 'POST /orders/<own order>/refunds {"amount":1} with an Idempotency-Key (as the customer)', expected: '403 FORBIDDEN; nothing refunded' },
    routes,
    async (see) => {
      const res = see(await request(ctx().app).post(`/api/v1/orders/${order.id}/refunds`).set(alice.headers).set('Idempotency-Key', 'attack-refund-01').send({ amount: 1 }));
      expectErrorContract(res, 403, 'FORBIDDEN');
      expect((await readOrder(order.id)).payment?.refundedMinor).toBe(0);
    },
  );

  attack(
    { id: 'PAY-10', vector: 'Replay of a processed webhook inside the tolerance window', route: WEBHOOK, payload: 'a genuinely signed payment_intent.succeeded delivered, then the identical request sent again', expected: '200 with duplicate=true; the order is paid once (one history entry, one event record)' },
    routes,
    async (see) => {
      const [p] = await productsWithStock(10);
      const other = await checkoutOrder(ctx(), alice, [{ productId: p!, quantity: 1 }]);
      const payload = stripeEvent('payment_intent.succeeded', intentObject(other.providerPaymentId, other.id, other.totalMinor, 'succeeded'), 'evt_attack_0010');
      const signature = sign(payload, secret());
      expect((await deliver(ctx(), payload, signature)).status).toBe(200);
      const replay = see(await deliver(ctx(), payload, signature));
      expect(replay.status).toBe(200);
      expect(replay.body.data.duplicate).toBe(true);
      expect((await readOrder(other.id)).statusHistory.filter((h) => h.status === 'paid')).toHaveLength(1);
      expect(await mongoose.connection.collection('webhookevents').countDocuments({ eventId: 'evt_attack_0010' })).toBe(1);
    },
  );
});

// The Stripe provider: the real SDK against a local fake Stripe (no network), webhook verification
// with the SDK, and the circuit breaker failing fast over HTTP while Stripe is down.
import Stripe from 'stripe';
import request from 'supertest';
import { createStripeProvider } from '../../src/services/payments/stripe-provider';
import { WebhookSignatureError } from '../../src/services/payments/provider';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { WebhookEvent } from '../support/models';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from '../support/fake-stripe';
import { checkoutOrder, deliver, intentObject, readOrder, stripeEvent } from '../support/payments';
import { productsWithStock } from './orders.fixture';

useTestDatabase();

const WEBHOOK_SECRET = 'whsec_fake_stripe_secret_0123';

describe('Stripe provider', () => {
  let fake: FakeStripe;
  beforeAll(async () => {
    fake = await startFakeStripe();
  });
  afterAll(async () => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.failing = false;
  });

  const provider = () =>
    createStripeProvider({ secretKey: 'sk_test_fakeStripe0123', webhookSecret: WEBHOOK_SECRET, webhookToleranceSeconds: 300, timeoutMs: 2000, host: '127.0.0.1', port: fake.port, protocol: 'http' });

  describe('createIntent (real SDK → fake server)', () => {
    it('when an intent is created, then Stripe receives the amount, the order id in metadata and our idempotency key', async () => {
      const created = await provider().createIntent({ orderId: 'order-123', amountMinor: 2599, currency: 'EUR', idempotencyKey: 'order-payment:order-123:key-1' });
      expect(created).toMatchObject({ clientSecret: expect.stringContaining('_secret_'), status: 'requires_payment_method' });
      const [req] = fake.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/v1/payment_intents', idempotencyKey: 'order-payment:order-123:key-1' });
      expect(req!.form.get('amount')).toBe('2599');
      expect(req!.form.get('currency')).toBe('eur');
      expect(req!.form.get('metadata[orderId]')).toBe('order-123');
    });

    it('when a refund is made, then the key is passed and the running total is read back from the charge', async () => {
      const p = provider();
      const { providerPaymentId } = await p.createIntent({ orderId: 'o-2', amountMinor: 1000, currency: 'USD', idempotencyKey: 'k-2' });
      const refund = await p.refund(providerPaymentId, { amountMinor: 300, idempotencyKey: 'refund:o-2:r1' });
      expect(refund).toMatchObject({ amountMinor: 300, totalRefundedMinor: 300 });
      expect(fake.requests.find((r) => r.path === '/v1/refunds')).toMatchObject({ idempotencyKey: 'refund:o-2:r1' });
    });
  });

  describe('listRefunds (real SDK → fake server)', () => {
    it('when a payment was refunded through the API and in the dashboard, then every refund that moved money is listed across pages with its time, ours with our key and reason', async () => {
      const p = provider();
      const { providerPaymentId } = await p.createIntent({ orderId: 'o-3', amountMinor: 1000, currency: 'USD', idempotencyKey: 'k-3' });
      const ours = await p.refund(providerPaymentId, { amountMinor: 100, idempotencyKey: 'refund:o-3:r1', reason: 'damaged box' });
      const dashboard = fake.addDashboardRefund(providerPaymentId, 200, { created: 1_750_000_000 });
      const pending = fake.addDashboardRefund(providerPaymentId, 50, { status: 'pending' });
      fake.addDashboardRefund(providerPaymentId, 70, { status: 'failed' });
      fake.addDashboardRefund(providerPaymentId, 80, { status: 'canceled' });
      fake.addDashboardRefund('pi_someone_else', 90);
      fake.refundsPageSize = 2;
      fake.requests.length = 0;
      try {
        const listed = await p.listRefunds(providerPaymentId);
        expect(listed.sort((a, b) => a.providerRefundId.localeCompare(b.providerRefundId))).toEqual(
          [
            { providerRefundId: ours.providerRefundId, amountMinor: 100, createdAt: expect.any(Date), idempotencyKey: 'refund:o-3:r1', reason: 'damaged box' },
            { providerRefundId: dashboard.id, amountMinor: 200, createdAt: new Date(1_750_000_000_000), idempotencyKey: null, reason: null },
            { providerRefundId: pending.id, amountMinor: 50, createdAt: expect.any(Date), idempotencyKey: null, reason: null },
          ].sort((a, b) => a.providerRefundId.localeCompare(b.providerRefundId)),
        );
      } finally {
        fake.refundsPageSize = 100;
      }
      // Five refunds of this payment, two a page: three pages, each asked for this payment only.
      const pages = fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/refunds');
      expect(pages).toHaveLength(3);
      expect(pages.map((r) => r.form.get('payment_intent'))).toEqual([providerPaymentId, providerPaymentId, providerPaymentId]);
      expect(pages[1]!.form.get('starting_after')).toBeTruthy();
    });
  });

  describe('parseWebhook (stripe.webhooks.constructEvent)', () => {
    const payload = stripeEvent('payment_intent.succeeded', intentObject('pi_1', 'o-1', 500, 'succeeded'));

    it('when the header was made by the SDK with our secret, then the event is parsed', () => {
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      expect(provider().parseWebhook(Buffer.from(payload), header)).toMatchObject({ type: 'payment_intent.succeeded', providerPaymentId: 'pi_1', orderId: 'o-1', amountReceivedMinor: 500 });
    });

    it('when the body was altered, the secret is wrong or the signature is older than the tolerance, then it is refused', () => {
      const p = provider();
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      expect(() => p.parseWebhook(Buffer.from(payload.replace('500', '5')), header)).toThrow(WebhookSignatureError);
      expect(() => p.parseWebhook(Buffer.from(payload), Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_another_secret_000' }))).toThrow(WebhookSignatureError);
      const stale = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 301 });
      expect(() => p.parseWebhook(Buffer.from(payload), stale)).toThrow(WebhookSignatureError);
    });
  });

  describe('over HTTP with PAYMENT_PROVIDER=stripe', () => {
    let ctx: TestContext;
    let alice: TestCaller;
    let manager: TestCaller;

    beforeAll(async () => {
      ctx = await createTestContext({ env: fakeStripeEnv(fake) });
      [alice, manager] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'manager')]);
    });
    afterAll(async () => ctx.close());

    it('when Stripe signs payment_intent.succeeded for the order, then it is paid, and the dev confirm route does not exist', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      expect(order.providerPaymentId).toMatch(/^pi_fake_/);
      const payload = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET })));
      expect(await readOrder(order.id)).toMatchObject({ status: 'paid', payment: { provider: 'stripe', status: 'succeeded' } });
      expectErrorContract(await request(ctx.app).post(`/api/v1/dev/payments/${order.providerPaymentId}/confirm`).set(alice.headers).send({ cardNumber: '4242424242424242' }), 404, 'ROUTE_NOT_FOUND');
    });

    it('when staff refund part of a Stripe payment, then Stripe gets the amount with a key scoped to the order, and the order is partially_refunded', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
      const payload = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET })));
      const res = await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', 'stripe-refund-01').send({ amount: 2.5 });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'partially_refunded', payment: { refunded: 2.5, status: 'partially_refunded' } });
      const sent = fake.requests.find((r) => r.path === '/v1/refunds');
      expect(sent).toMatchObject({ idempotencyKey: `refund:${order.id}:stripe-refund-01` });
      expect(sent!.form.get('amount')).toBe('250');
      expect(sent!.form.get('payment_intent')).toBe(order.providerPaymentId);
    });

    it("when a refund made in Stripe's dashboard is reported by charge.refunded (no refund list in the payload), then the order records it once with Stripe's id, amount and time", async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
      const succeeded = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, succeeded, Stripe.webhooks.generateTestHeaderString({ payload: succeeded, secret: WEBHOOK_SECRET })));
      const created = Math.floor(Date.now() / 1000) - 60;
      const dashboard = fake.addDashboardRefund(order.providerPaymentId, 300, { created });
      const refunded = stripeEvent('charge.refunded', { id: `ch_${order.providerPaymentId}`, object: 'charge', amount: order.totalMinor, amount_refunded: 300, payment_intent: order.providerPaymentId });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: refunded, secret: WEBHOOK_SECRET });
      expectSuccess(await deliver(ctx, refunded, signature));
      expectSuccess(await deliver(ctx, refunded, signature));

      const after = await readOrder(order.id);
      expect(after).toMatchObject({ status: 'partially_refunded', payment: { refundedMinor: 300, status: 'partially_refunded' } });
      expect(after.payment!.refunds).toEqual([
        expect.objectContaining({ providerRefundId: dashboard.id, amountMinor: 300, at: new Date(created * 1000), idempotencyKey: `provider-refund:${dashboard.id}` }),
      ]);
    });

    it('when staff refund through the API and Stripe then reports the new total, then the order keeps one record, with our key', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
      const succeeded = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, succeeded, Stripe.webhooks.generateTestHeaderString({ payload: succeeded, secret: WEBHOOK_SECRET })));
      expectSuccess(await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', 'stripe-refund-02').send({ amount: 1, reason: 'late delivery' }));
      const refunded = stripeEvent('charge.refunded', { id: `ch_${order.providerPaymentId}`, object: 'charge', amount: order.totalMinor, amount_refunded: 100, payment_intent: order.providerPaymentId });
      expectSuccess(await deliver(ctx, refunded, Stripe.webhooks.generateTestHeaderString({ payload: refunded, secret: WEBHOOK_SECRET })));
      const { refunds } = (await readOrder(order.id)).payment!;
      expect(refunds).toEqual([expect.objectContaining({ amountMinor: 100, idempotencyKey: `refund:${order.id}:stripe-refund-02`, reason: 'late delivery' })]);
      // Stripe keeps our key and reason on the refund, so a listing tells it apart from a dashboard refund.
      const sent = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.form.get('payment_intent') === order.providerPaymentId);
      expect(sent!.form.get('metadata[idempotencyKey]')).toBe(`refund:${order.id}:stripe-refund-02`);
    });
  });

  describe('listing refunds while Stripe is down (its own app: failures must not open the shared breaker)', () => {
    let ctx: TestContext;
    let alice: TestCaller;

    beforeAll(async () => {
      ctx = await createTestContext({ env: fakeStripeEnv(fake, { PAYMENT_PROVIDER_MAX_RETRIES: '1', PAYMENT_PROVIDER_RETRY_BASE_MS: '1', PAYMENT_BREAKER_VOLUME_THRESHOLD: '100' }) });
      alice = await callerWithRole(ctx, 'customer');
    });
    afterAll(async () => ctx.close());

    it("when the dashboard refund's charge.refunded arrives and Stripe cannot list the refunds, then 503, nothing is written and the event is not marked processed; its redelivery records the refund", async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const succeeded = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, succeeded, Stripe.webhooks.generateTestHeaderString({ payload: succeeded, secret: WEBHOOK_SECRET })));
      const dashboard = fake.addDashboardRefund(order.providerPaymentId, order.totalMinor);
      const refunded = stripeEvent('charge.refunded', { id: `ch_${order.providerPaymentId}`, object: 'charge', amount: order.totalMinor, amount_refunded: order.totalMinor, payment_intent: order.providerPaymentId });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: refunded, secret: WEBHOOK_SECRET });

      fake.failing = true;
      expectErrorContract(await deliver(ctx, refunded, signature), 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
      const untouched = await readOrder(order.id);
      expect(untouched).toMatchObject({ status: 'paid', payment: { refundedMinor: 0, status: 'succeeded', refunds: [] } });
      expect(await WebhookEvent.countDocuments({ eventId: JSON.parse(refunded).id })).toBe(0);

      fake.failing = false;
      const redelivered = await deliver(ctx, refunded, signature);
      expectSuccess(redelivered);
      expect(redelivered.body.data.duplicate).toBe(false);
      const after = await readOrder(order.id);
      expect(after).toMatchObject({ status: 'refunded', payment: { refundedMinor: order.totalMinor, status: 'refunded' } });
      expect(after.payment!.refunds.map((r) => [r.providerRefundId, r.amountMinor])).toEqual([[dashboard.id, order.totalMinor]]);
    });
  });

  describe('circuit breaker (its own app, so its window holds only this story)', () => {
    let ctx: TestContext;
    let alice: TestCaller;
    let manager: TestCaller;

    beforeAll(async () => {
      // One success (the intent), then the refund fails twice: 1/2 = 50 % does not open, 2/3 does.
      ctx = await createTestContext({ env: fakeStripeEnv(fake, { PAYMENT_BREAKER_ERROR_PERCENT: '50', PAYMENT_BREAKER_VOLUME_THRESHOLD: '2', PAYMENT_PROVIDER_MAX_RETRIES: '1', PAYMENT_PROVIDER_RETRY_BASE_MS: '1', PAYMENT_BREAKER_RESET_MS: '60000' }) });
      [alice, manager] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'manager')]);
    });
    afterAll(async () => ctx.close());

    it('when Stripe fails, then refunds answer 503 PAYMENT_PROVIDER_UNAVAILABLE after the retries, the breaker opens, and later calls fail without reaching Stripe', async () => {
      const [p] = await productsWithStock(5);
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
      const payload = stripeEvent('payment_intent.succeeded', intentObject(order.providerPaymentId, order.id, order.totalMinor, 'succeeded'));
      expectSuccess(await deliver(ctx, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET })));
      fake.failing = true;
      fake.requests.length = 0;
      const refund = (key: string) => request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', key).send({ amount: 1 });

      const first = await refund('outage-key-01');
      expectErrorContract(first, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
      expect(first.headers['retry-after']).toBe('60');
      expect(fake.requests).toHaveLength(2); // the call and its one retry (a keyed write is safe to repeat)
      expect(ctx.container.paymentGuard.isOpen()).toBe(true);

      const second = await refund('outage-key-01');
      expectErrorContract(second, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
      expect(fake.requests).toHaveLength(2);
      // Checkout's payment step is refused before anything is created or reserved.
      const [q] = await productsWithStock(5);
      await expect(checkoutOrder(ctx, alice, [{ productId: q, quantity: 1 }])).rejects.toMatchObject({ status: 503, code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
      expect(() => ctx.container.payments.assertProviderAvailable()).toThrow(expect.objectContaining({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' }));
      expect(fake.requests).toHaveLength(2);
      expect((await readOrder(order.id)).payment).toMatchObject({ refundedMinor: 0, status: 'succeeded' });
    });
  });
});

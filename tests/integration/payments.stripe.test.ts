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

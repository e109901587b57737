// Payments fixtures: an app listening on a real port (the simulated provider POSTs its signed
// webhooks to it, as Stripe would), orders made by a real checkout (cart → POST /checkout), and
// signed/forged event deliveries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import request from 'supertest';
import { Order, SimulatedPaymentIntent } from './models';
import type { OrderRecord } from '../../src/repositories/order.repository';
import { createSimulatedIntentRepository } from '../../src/repositories/payments/simulated-intent';
import { createSimulatedProvider, httpWebhookDelivery } from '../../src/services/payments/simulated-provider';
import { signWebhookPayload } from '../../src/services/payments/webhook-signature';
import { createTestContext, type TestContext, type TestContextOptions } from './app';
import type { TestCaller } from './auth';
import { expectSuccess } from './contract';

export const WEBHOOK_PATH = '/api/v1/webhooks/stripe';

export interface PaymentsApp {
  readonly ctx: TestContext;
  readonly url: string;
  close(): Promise<void>;
}

/** The app on an ephemeral port, with the simulated provider delivering to its own webhook. */
export async function startPaymentsApp(options: TestContextOptions = {}): Promise<PaymentsApp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx = await createTestContext({ ...options, env: { SIMULATED_PAYMENT_WEBHOOK_URL: `${url}${WEBHOOK_PATH}`, ...options.env } });
  server.on('request', ctx.app);
  return {
    ctx,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.close();
    },
  };
}

export async function readOrder(id: string): Promise<OrderRecord> {
  const order = await Order.findById(id).lean();
  if (!order) throw new Error(`order ${id} not found`);
  return order as unknown as OrderRecord;
}

/** Empties the caller's cart, fills it with `items` and checks out over HTTP; returns the raw answer. */
export async function checkoutResponse(ctx: TestContext, caller: TestCaller, items: { productId: string; variantId?: string; quantity: number }[], key = `checkout-${new Types.ObjectId().toHexString()}`) {
  expectSuccess(await request(ctx.app).delete('/api/v1/cart').set(caller.headers));
  for (const item of items) expectSuccess(await request(ctx.app).post('/api/v1/cart/items').set(caller.headers).send(item));
  return request(ctx.app).post('/api/v1/checkout').set(caller.headers).set('Idempotency-Key', key).send({ shippingAddress: CHECKOUT_ADDRESS });
}

export const CHECKOUT_ADDRESS = { fullName: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

/**
 * A checkout over HTTP (cart → POST /checkout): an order in `awaiting_payment` with its stock
 * reserved and a provider payment. Throws `{ status, code }` when checkout refuses.
 */
export async function checkoutOrder(ctx: TestContext, caller: TestCaller, items: { productId: string; variantId?: string; quantity: number }[]) {
  const res = await checkoutResponse(ctx, caller, items);
  if (res.status !== 201) throw Object.assign(new Error(`checkout answered ${res.status} ${String(res.body?.code)}`), { status: res.status, code: res.body?.code as string });
  const { order, payment } = res.body.data as { order: { id: string }; payment: { providerPaymentId: string; clientSecret: string } };
  return { id: order.id, providerPaymentId: payment.providerPaymentId, clientSecret: payment.clientSecret, totalMinor: (await readOrder(order.id)).totalMinor };
}

export async function confirmWith(ctx: TestContext, caller: TestCaller, providerPaymentId: string, cardNumber: string) {
  return request(ctx.app).post(`/api/v1/dev/payments/${providerPaymentId}/confirm`).set(caller.headers).send({ cardNumber });
}

/** A Stripe-shaped event body. */
export function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_test_${new Types.ObjectId().toHexString()}`, created = Math.floor(Date.now() / 1000)): string {
  return JSON.stringify({ id, object: 'event', api_version: '2025-01-01', created, livemode: false, type, data: { object } });
}

export function intentObject(providerPaymentId: string, orderId: string, amountMinor: number, status: string, extra: Record<string, unknown> = {}) {
  return { id: providerPaymentId, object: 'payment_intent', amount: amountMinor, amount_received: status === 'succeeded' ? amountMinor : 0, currency: 'usd', status, metadata: { orderId }, ...extra };
}

/** POSTs `payload` as the provider would; `signature` false sends none. */
export function deliver(ctx: TestContext, payload: string, signature: string | false) {
  const req = request(ctx.app).post(WEBHOOK_PATH).set('Content-Type', 'application/json');
  if (signature !== false) req.set('Stripe-Signature', signature);
  return req.send(payload);
}

export function sign(payload: string, secret: string, at = new Date()): string {
  return signWebhookPayload(payload, secret, Math.floor(at.getTime() / 1000));
}

export interface SimulatedDashboard {
  /** Every signed event the dashboard sent, in order, for redelivering it exactly. */
  readonly sent: { readonly payload: string; readonly signature: string }[];
  /** A refund made at the provider outside our API (without an amount: the rest); Stripe-like, only `charge.refunded` reports it. */
  refund(providerPaymentId: string, amountMinor?: number): ReturnType<ReturnType<typeof createSimulatedProvider>['refundFromDashboard']>;
}

/**
 * The simulated provider's "dashboard": the same intents and signing secret as the app's provider,
 * delivering to the app's webhook like Stripe would — but not through our API. `deliver: false`
 * keeps the events in `sent` only (a lost delivery, or one the test sends itself).
 */
export function simulatedDashboard(app: PaymentsApp, options: { deliver?: boolean } = {}): SimulatedDashboard {
  const sent: { payload: string; signature: string }[] = [];
  const http = httpWebhookDelivery(`${app.url}${WEBHOOK_PATH}`, 10_000);
  const provider = createSimulatedProvider({
    intents: createSimulatedIntentRepository(SimulatedPaymentIntent),
    webhookSecret: app.ctx.config.payments.webhookSecret,
    webhookToleranceSeconds: app.ctx.config.payments.webhookToleranceSeconds,
    deliver: (payload, signature) => {
      sent.push({ payload, signature });
      return options.deliver === false ? Promise.resolve(false) : http(payload, signature);
    },
  });
  return { sent, refund: (providerPaymentId, amountMinor) => provider.refundFromDashboard(providerPaymentId, amountMinor) };
}

// Payment endpoints: the provider webhook, staff refunds, and (outside production) the simulated
// provider's confirm step for Postman and Swagger users.
import Joi from 'joi';
import { createPaymentController, type ConfirmBody, type RefundBody, type WebhookHeaders } from '../controllers/payment.controller';
import type { PaymentService } from '../services/payments/payment.service';
import type { IdempotencyHeaders } from '../utils/typed-request';
import { plainText } from '../utils/sanitize';
import { idempotencyKey } from './headers.schemas';
import { orderIdParams } from './order.schemas';
import { orderResponse } from './order.routes';
import { money } from './product.schemas';
import { route, type RouteDefinition } from './route-table';

// `idempotency: 'required'` answers 428 before the handler runs when the key is missing, so the
// handler's type may say it is there; the document marks it required.
const refundHeaders = Joi.object<Required<IdempotencyHeaders>>({ 'idempotency-key': idempotencyKey.meta({ documentedRequired: true }) });

const webhookHeaders = Joi.object<WebhookHeaders>({ 'stripe-signature': Joi.string().max(4096) });

const refundBody = Joi.object<RefundBody>({
  // min(0.01), not greater(0): the same rule at cent precision, and one bound in the document (not minimum and exclusiveMinimum).
  amount: money().min(0.01).description('Decimal amount in the order currency; omit to refund everything not yet refunded'),
  reason: plainText({ min: 1, max: 500 }),
});

const confirmBody = Joi.object<ConfirmBody>({
  cardNumber: Joi.string()
    .trim()
    .pattern(/^[0-9][0-9 -]{11,22}[0-9]$/)
    .required()
    .description('A Stripe test card: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 declines (see services/payments/README.md)'),
});

const paymentIdParams = Joi.object<{ id: string }>({ id: Joi.string().pattern(/^pi_[A-Za-z0-9_]{1,120}$/).required().example('pi_sim_000000000000000000000000').messages({ 'string.pattern.base': 'id must be a payment id (pi_…)' }) });

const confirmOutcome = Joi.object({
  status: Joi.string().valid('succeeded', 'requires_payment_method'),
  declineCode: Joi.string().allow(null),
  webhookDelivered: Joi.boolean(),
  order: orderResponse,
}).prefs({ presence: 'required' });

export function paymentRoutes(payments: PaymentService, options: { devRoutes: boolean }): RouteDefinition[] {
  const controller = createPaymentController(payments);
  const tags = ['Payments'];
  const routes: RouteDefinition[] = [
    route({
      method: 'post',
      path: '/webhooks/stripe',
      summary: 'Payment provider webhook (Stripe, or the simulated provider)',
      description:
        'Verifies `Stripe-Signature` (t=…,v1=HMAC-SHA256) over the exact raw body with the webhook secret and a timestamp tolerance. Forged, unsigned or stale deliveries → 400 and nothing changes; an event id already processed → 200 without effect. Handles payment_intent.succeeded, payment_intent.payment_failed, payment_intent.canceled and charge.refunded.',
      tags,
      access: 'public',
      rawBody: { limit: '256kb', contentType: 'application/json', description: 'The event exactly as the provider sent it (verified byte for byte).' },
      validate: { headers: webhookHeaders },
      responses: {
        200: { description: 'Accepted (also for a duplicate or an event type we do not act on)', schema: Joi.object({ received: Joi.boolean(), duplicate: Joi.boolean() }).prefs({ presence: 'required' }) },
        400: { description: 'WEBHOOK_SIGNATURE_INVALID: missing, forged, for another body, or older than the tolerance', code: 'WEBHOOK_SIGNATURE_INVALID' },
        409: {
          description: 'PAYMENT_EVENT_OUT_OF_ORDER: the event needs one not yet received (a refund before the success it refunds); nothing changed and the provider delivers it again later',
          code: 'PAYMENT_EVENT_OUT_OF_ORDER',
        },
      },
      requestExample: { id: 'evt_forged', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_forged', object: 'payment_intent' } } },
      // A deliberate negative check: an unsigned copy of an event is refused.
      postman: { headers: { 'Stripe-Signature': 't=1,v1=forged' }, expectStatus: 400, expectCode: 'WEBHOOK_SIGNATURE_INVALID' },
      handler: controller.webhook,
    }),
    route({
      method: 'post',
      path: '/orders/:id/refunds',
      summary: 'Refund part (or the rest) of an order paid through the payment provider',
      description:
        'Idempotency-Key required (428 without it): the same key and body replay the first answer with `Idempotent-Replayed: true`, another body → 422; the key, scoped to the order, also goes to the provider, so one key never refunds twice. A full refund moves a paid order to `refunded`, a partial one to `partially_refunded`; shipped orders keep their status. Stock is not returned (cancel does that).',
      tags: ['Orders', 'Payments'],
      access: ['manager', 'admin'],
      validate: { params: orderIdParams, headers: refundHeaders, body: refundBody },
      idempotency: 'required',
      responses: {
        200: { description: 'The order with its payment after the refund (or replayed: `Idempotent-Replayed: true`); `ETag` set', schema: orderResponse },
        404: { description: 'ORDER_NOT_FOUND' },
        409: { description: 'ORDER_NOT_REFUNDABLE: no provider payment, not paid, or fully refunded; IDEMPOTENCY_IN_PROGRESS: the first request with this key still runs (see Retry-After)', code: 'ORDER_NOT_REFUNDABLE' },
        422: { description: 'REFUND_EXCEEDS_REMAINING; PAYMENT_PROVIDER_REJECTED; IDEMPOTENCY_KEY_REUSED: the key was used with a different body' },
        428: { description: 'IDEMPOTENCY_KEY_REQUIRED: no Idempotency-Key sent', code: 'IDEMPOTENCY_KEY_REQUIRED' },
        503: { description: 'PAYMENT_PROVIDER_UNAVAILABLE: nothing was refunded; retry with the same key' },
      },
      requestExample: { amount: 5, reason: 'One item arrived damaged' },
      // The Postman order was paid out of band (no provider payment): the refund is refused.
      postman: { headers: { 'Idempotency-Key': '{{$guid}}' }, expectStatus: 409, expectCode: 'ORDER_NOT_REFUNDABLE' },
      handler: controller.refund,
    }),
  ];
  if (options.devRoutes) {
    routes.push(
      route({
      method: 'post',
      path: '/dev/payments/:id/confirm',
      summary: 'Pay with a test card (simulated provider; development and test only)',
      description:
        'Does what Stripe.js does in the browser: succeeds or declines the payment, then the simulated provider delivers the signed webhook to `POST /webhooks/stripe`. Not mounted in production; 404 with Stripe. The payment id is `order.payment.providerPaymentId`.',
      tags,
      access: 'authenticated',
      validate: { params: paymentIdParams, body: confirmBody },
      responses: {
        200: { description: 'The payment outcome and the order after the webhook was processed', schema: confirmOutcome },
        404: { description: 'PAYMENT_NOT_FOUND (also for payments of other customers)' },
        422: { description: 'PAYMENT_PROVIDER_REJECTED: not a test card, or the payment is no longer open' },
      },
      requestExample: { cardNumber: '4242 4242 4242 4242' },
      // The story's last step: pays the Cart folder's checkout (its payment id) and sees the order paid.
      postman: {
        expectBody: { 'data.status': 'succeeded', 'data.order.id': '{{checkoutOrderId}}', 'data.order.status': 'paid' },
        orError: { status: 404, code: 'ROUTE_NOT_FOUND', when: 'the deployment takes payments through Stripe (the simulated provider and its confirm step are not mounted)' },
      },
      handler: controller.confirm,
      }),
    );
  }
  return routes;
}

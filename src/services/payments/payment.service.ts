// Payments for orders: creating the provider payment for a checkout order, the signed webhook,
// refunds, settling money before a cancel, and the simulated provider's confirm step.
//
// How checkout must order its steps (see README.md beside this file):
//   1. payments.assertProviderAvailable()  — 503 fast while the breaker is open, nothing reserved yet
//   2. create the order in `awaiting_payment`, reserving stock (transaction / compensation)
//   3. payments.createPaymentForOrder(order, idempotencyKey) — on failure cancel the order
//      (orders.cancelUnpaid) so its stock is released, then rethrow.
import type { OrderRecord, OrderRepository } from '../../repositories/order.repository';
import type { PaymentRepository } from '../../repositories/payments/payment.repository';
import type { WebhookEventRepository } from '../../repositories/payments/webhook-event';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { withoutDeadline } from '../../utils/tracing';
import type { OrderEvents } from '../orders/events';
import type { Outbox } from '../outbox/outbox.service';
import type { OrderActor } from '../orders/query';
import { toOrderView, type OrderView } from '../orders/view';
import { createEventApplier, recordRefund, refundEvent } from './apply';
import { HANDLED_EVENT_TYPES, ProviderRejectedError, WebhookSignatureError, type PaymentProvider } from './provider';
import type { ProviderGuard } from './resilience';
import type { ConfirmOutcome, SimulatedProvider } from './simulated-provider';

export interface PaymentServiceDeps {
  /** The provider with every network call guarded (ProviderGuard.wrap). */
  readonly provider: PaymentProvider;
  readonly guard: ProviderGuard;
  /** The unguarded simulated provider, for its confirm step; null with Stripe. */
  readonly simulated: SimulatedProvider | null;
  readonly orders: Pick<OrderRepository, 'findById'>;
  readonly payments: PaymentRepository;
  readonly webhookEvents: WebhookEventRepository;
  readonly events: Pick<OrderEvents, 'recipientOf' | 'paid' | 'refunded'>;
  readonly outbox: Pick<Outbox, 'withEvents'>;
  readonly cancelUnpaid: (orderId: string, reason: string, options: { providerCancelled: boolean }) => Promise<OrderRecord | null>;
  readonly failPayment: (orderId: string, failureReason: string) => Promise<OrderRecord | null>;
  readonly now?: () => Date;
}

export interface CreatedPayment {
  readonly order: OrderView;
  readonly payment: { readonly provider: string; readonly providerPaymentId: string; readonly clientSecret: string; readonly status: string };
}

const REFUNDABLE = new Set(['succeeded', 'partially_refunded']);
const orderNotFound = () => new NotFoundError('Order not found', 'ORDER_NOT_FOUND');

/** A refusal by the provider is the client's problem to see, never a 500. */
function rejected(err: unknown): never {
  if (err instanceof ProviderRejectedError) {
    throw new UnprocessableError(`The payment provider refused the request: ${err.message}`, 'PAYMENT_PROVIDER_REJECTED', { details: [{ path: 'payment', message: err.message, providerCode: err.providerCode }], cause: err });
  }
  throw err;
}

export function createPaymentService(deps: PaymentServiceDeps) {
  const { provider, guard, orders, payments, webhookEvents } = deps;
  const now = deps.now ?? (() => new Date());
  const applyEvent = createEventApplier({ orders, payments, provider, events: deps.events, outbox: deps.outbox, cancelUnpaid: deps.cancelUnpaid, failPayment: deps.failPayment, now });

  /** Refunds through the provider, records the refund and applies the new total to the order. */
  async function refundAndApply(order: OrderRecord, amountMinor: number | undefined, idempotencyKey: string, reason?: string): Promise<void> {
    const payment = order.payment!;
    const refund = await provider.refund(payment.providerPaymentId, { amountMinor, idempotencyKey, ...(reason && { reason }) }).catch(rejected);
    const id = order._id.toString();
    // The money has moved: record it even if the request's deadline passed meanwhile.
    const outcome = await withoutDeadline(async () => {
      await recordRefund(deps, id, { providerRefundId: refund.providerRefundId, amountMinor: refund.amountMinor, at: now(), idempotencyKey, ...(reason && { reason }) });
      return applyEvent(id, refundEvent(payment.providerPaymentId, refund.totalRefundedMinor, now()));
    });
    logger.info('order refunded', { orderId: id, amountMinor: refund.amountMinor, totalRefundedMinor: refund.totalRefundedMinor, outcome });
  }

  return {
    /** Checkout's first step: fails with 503 PAYMENT_PROVIDER_UNAVAILABLE while the breaker is open. */
    assertProviderAvailable: () => guard.assertAvailable(),

    /**
     * Creates the provider payment for an order in `awaiting_payment` and attaches it. The provider
     * receives the caller's key scoped to the order, so a retried checkout gets the same intent.
     */
    async createPaymentForOrder(order: OrderRecord, idempotencyKey: string): Promise<CreatedPayment> {
      guard.assertAvailable();
      const orderId = order._id.toString();
      if (order.status !== 'awaiting_payment') throw new ConflictError(`An order that is ${order.status} cannot take a payment`, 'ORDER_NOT_AWAITING_PAYMENT');
      const intent = await provider
        .createIntent({ orderId, amountMinor: order.totalMinor, currency: order.currency, idempotencyKey: `order-payment:${orderId}:${idempotencyKey}` })
        .catch(rejected);
      const record = { provider: provider.name, providerPaymentId: intent.providerPaymentId, amountMinor: order.totalMinor, refundedMinor: 0, status: 'requires_payment' as const, refunds: [] };
      const attached = (await payments.attach(orderId, record)) ?? (await orders.findById(orderId));
      if (attached?.payment?.providerPaymentId !== intent.providerPaymentId) {
        throw new ConflictError('The order already has another payment or is no longer awaiting one', 'ORDER_NOT_AWAITING_PAYMENT');
      }
      logger.info('payment created', { orderId, provider: provider.name, providerPaymentId: intent.providerPaymentId, amountMinor: order.totalMinor });
      return { order: toOrderView(attached), payment: { provider: provider.name, providerPaymentId: intent.providerPaymentId, clientSecret: intent.clientSecret, status: intent.status } };
    },

    /**
     * The webhook: verify the signature on the raw body, record the event id (the unique index makes
     * a duplicate a no-op), then apply it. If applying fails the record is removed so the provider's
     * redelivery is processed.
     */
    async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<{ duplicate: boolean; outcome: string }> {
      let event;
      try {
        event = provider.parseWebhook(rawBody, signature);
      } catch (err) {
        if (!(err instanceof WebhookSignatureError)) throw err;
        logger.warn('webhook signature refused', { reason: err.message });
        throw new BadRequestError('The webhook signature is missing, invalid or too old', 'WEBHOOK_SIGNATURE_INVALID', { cause: err });
      }
      if (!HANDLED_EVENT_TYPES.includes(event.type as never)) return { duplicate: false, outcome: 'ignored:unhandled-event-type' };
      const fresh = await webhookEvents.record({ provider: provider.name, eventId: event.id, type: event.type, receivedAt: now() });
      if (!fresh) return { duplicate: true, outcome: 'duplicate' };
      try {
        const order = event.providerPaymentId ? await payments.findByProviderPaymentId(event.providerPaymentId) : null;
        const outcome = order ? await applyEvent(order._id.toString(), event) : 'ignored:unknown-payment';
        await webhookEvents.complete(provider.name, event.id, outcome, order?._id ?? null);
        logger.info('webhook processed', { eventId: event.id, type: event.type, orderId: order?._id.toString(), outcome });
        return { duplicate: false, outcome };
      } catch (err) {
        // Compensation: the provider's redelivery must find the event unrecorded, deadline or not.
        await withoutDeadline(() => webhookEvents.forget(provider.name, event.id)).catch(() => undefined);
        throw err;
      }
    },

    /**
     * Staff refund of part (or, without an amount, the rest) of an order. The route's idempotency
     * capability replays a retried request; the key, scoped to the order, is also what the provider
     * and the order's refund list know the refund by, so a key whose stored answer is gone (expired,
     * or freed after a 5xx that followed the provider's refund) still never refunds twice.
     */
    async refund(orderId: string, input: { amountMinor?: number; reason?: string }, idempotencyKey: string): Promise<OrderView> {
      const order = await orders.findById(orderId);
      if (!order) throw orderNotFound();
      const key = `refund:${orderId}:${idempotencyKey}`;
      if (order.payment?.refunds.some((r) => r.idempotencyKey === key)) return toOrderView(order);
      const payment = order.payment;
      if (!payment || !REFUNDABLE.has(payment.status)) {
        throw new ConflictError('Only an order paid through the payment provider and not fully refunded can be refunded', 'ORDER_NOT_REFUNDABLE');
      }
      const remaining = payment.amountMinor - payment.refundedMinor;
      if (input.amountMinor !== undefined && input.amountMinor > remaining) {
        throw new UnprocessableError('The refund is larger than what is left to refund', 'REFUND_EXCEEDS_REMAINING', { details: [{ path: 'amount', message: `at most ${remaining} minor units remain`, remainingMinor: remaining }] });
      }
      await refundAndApply(order, input.amountMinor, key, input.reason);
      return toOrderView((await orders.findById(orderId))!);
    },

    /**
     * Called by the order service before it cancels an order with a provider payment: refunds what
     * was paid (a failure aborts the cancel) or cancels the unpaid intent (best effort: if it was
     * paid meanwhile, its success event is refunded automatically).
     */
    async settleBeforeCancel(order: OrderRecord): Promise<void> {
      const payment = order.payment;
      if (!payment) return;
      if (REFUNDABLE.has(payment.status)) return refundAndApply(order, undefined, `order-cancel:${order._id.toString()}`, 'order cancelled');
      if (payment.status === 'requires_payment' || payment.status === 'failed') {
        await provider.cancel(payment.providerPaymentId).catch((err: Error) => logger.warn('payment not cancelled at the provider; a later success will be refunded', { orderId: order._id.toString(), error: err.message }));
      }
    },

    /** Development only: pay (or fail to pay) with a test card, as Stripe.js would in the browser. */
    async confirmSimulated(actor: OrderActor, providerPaymentId: string, cardNumber: string): Promise<ConfirmOutcome & { order: OrderView }> {
      const simulated = deps.simulated;
      const order = simulated ? await payments.findByProviderPaymentId(providerPaymentId) : null;
      if (!simulated || !order || (!actor.isStaff && order.account.toString() !== actor.id)) throw new NotFoundError('Payment not found', 'PAYMENT_NOT_FOUND');
      const outcome = await guard.run(() => simulated.confirm(providerPaymentId, cardNumber), { retry: false, operation: 'confirm' }).catch(rejected);
      return { ...outcome, order: toOrderView((await orders.findById(order._id.toString()))!) };
    },
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;

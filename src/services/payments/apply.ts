// Applies one provider event to its order: decide (pure) → conditional write and its domain event in
// one transaction (the outbox). A write that loses to a concurrent change is decided again against
// the fresh order, so the outcome never depends on which of two racing events lands first.
import type { OrderRecord, OrderRepository } from '../../repositories/order.repository';
import { ConflictError } from '../../utils/errors';
import type { PaymentRepository } from '../../repositories/payments/payment.repository';
import type { PaymentRecord } from '../../repositories/order.repository';
import type { OrderEvents } from '../orders/events';
import type { Outbox } from '../outbox/outbox.service';
import { logger } from '../../utils/logger';
import { ProviderRejectedError, type PaymentEvent, type PaymentProvider } from './provider';
import { decide } from './reconcile';

const MAX_ROUNDS = 4;
const AUTO_REFUND_REASON = 'paid after the order was cancelled';

type RefundRecord = PaymentRecord['refunds'][number];

export interface EventApplierDeps {
  readonly orders: Pick<OrderRepository, 'findById'>;
  readonly payments: PaymentRepository;
  readonly provider: PaymentProvider;
  /** The order's events (paid, payment failed, refunded), recorded through the outbox with the write. */
  readonly events: Pick<OrderEvents, 'recipientOf' | 'paid' | 'refunded'>;
  readonly outbox: Pick<Outbox, 'withEvents'>;
  /** Fails (and restocks) an order whose payment was declined; null when it no longer awaits payment. */
  readonly failPayment: (orderId: string, failureReason: string) => Promise<OrderRecord | null>;
  /** Cancels (and restocks) an unpaid order whose payment the provider cancelled. */
  readonly cancelUnpaid: (orderId: string, reason: string, options: { providerCancelled: boolean }) => Promise<OrderRecord | null>;
  readonly now: () => Date;
}

/** A refund we made ourselves, as the `charge.refunded` event the provider will also send. */
export function refundEvent(providerPaymentId: string, totalRefundedMinor: number, at: Date): PaymentEvent {
  return { id: `local:${providerPaymentId}:${totalRefundedMinor}`, type: 'charge.refunded', createdAt: at, providerPaymentId, orderId: null, amountMinor: 0, amountReceivedMinor: 0, amountRefundedMinor: totalRefundedMinor, failureReason: null };
}

export type EventApplier = (orderId: string, event: PaymentEvent) => Promise<string>;

/**
 * Adds a refund to the order's history once, with an `order-refund-recorded` event in the same
 * transaction. The provider's `charge.refunded` (and our `order-refunded` event with it) can be
 * applied before the record exists — a webhook may arrive before the refund call returns — so the
 * record's own event is what guarantees the sales rollups see it (they count each record once).
 */
export async function recordRefund(deps: Pick<EventApplierDeps, 'payments' | 'outbox'>, orderId: string, refund: RefundRecord): Promise<void> {
  await deps.outbox.withEvents(async ({ session, emit }) => {
    const added = await deps.payments.addRefund(orderId, refund, session);
    if (added) {
      emit({
        id: `order-refund-recorded:${orderId}:${refund.providerRefundId}`,
        type: 'order-refund-recorded',
        aggregateId: orderId,
        payload: { orderId, refundId: refund.providerRefundId, amountMinor: refund.amountMinor },
      });
    }
  });
}

/** Why a refund the provider lists but our API did not make is on the order. */
export const PROVIDER_REFUND_REASON = 'refunded at the payment provider (outside this API)';

/**
 * When the provider reports more refunded than the order's records add up to, a refund was made
 * that the order has no record of — in the provider's dashboard, or ours whose call has not returned
 * yet — and the event does not say which: the provider's list does. Each one missing is recorded
 * (`recordRefund`: once per provider refund id, however many deliveries race), with the provider's
 * time and, for ours, our key and reason. A transient failure to list propagates, so the event is
 * not marked processed and is delivered again; nothing is written before the list is read.
 */
async function recordMissingRefunds(deps: Pick<EventApplierDeps, 'orders' | 'payments' | 'outbox' | 'provider'>, orderId: string, event: PaymentEvent): Promise<void> {
  const order = await deps.orders.findById(orderId);
  const payment = order?.payment;
  // Too early (decide defers it), or not paid through the provider.
  if (!payment || order.status === 'awaiting_payment') return;
  const recorded = payment.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
  if (Math.max(event.amountRefundedMinor, payment.refundedMinor) <= recorded) return;
  let listed;
  try {
    listed = await deps.provider.listRefunds(payment.providerPaymentId);
  } catch (err) {
    // A refusal will not change on redelivery: the total still applies, the records wait for the next event.
    if (!(err instanceof ProviderRejectedError)) throw err;
    logger.error('the provider refused to list the refunds of a payment', { orderId, providerCode: err.providerCode, error: err.message });
    return;
  }
  const known = new Set(payment.refunds.map((r) => r.providerRefundId));
  for (const refund of listed) {
    if (known.has(refund.providerRefundId) || refund.amountMinor <= 0) continue;
    await recordRefund(deps, orderId, {
      providerRefundId: refund.providerRefundId,
      amountMinor: refund.amountMinor,
      at: refund.createdAt,
      ...(refund.idempotencyKey !== null
        ? { idempotencyKey: refund.idempotencyKey, ...(refund.reason && { reason: refund.reason }) }
        : { idempotencyKey: `provider-refund:${refund.providerRefundId}`, reason: PROVIDER_REFUND_REASON }),
    });
  }
}

/** Returns what happened (`applied:paid`, `ignored:stale:order-is-shipped`, …) for the event log. */
export function createEventApplier(deps: EventApplierDeps): EventApplier {
  return async function applyEvent(orderId, initial) {
    if (initial.type === 'charge.refunded') await recordMissingRefunds(deps, orderId, initial);
    let event = initial;
    let prefix = '';
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const order = await deps.orders.findById(orderId);
      if (!order) return 'ignored:order-missing';
      const decision = decide(order, event);
      switch (decision.kind) {
        case 'ignore':
          return `${prefix}ignored:${decision.reason}`;
        case 'defer':
          throw new ConflictError('This event cannot be applied yet; deliver it again later', 'PAYMENT_EVENT_OUT_OF_ORDER', { details: [{ path: 'type', message: decision.reason }] });
        case 'fail_order': {
          if (await deps.failPayment(orderId, decision.failureReason)) return 'applied:payment_failed';
          continue;
        }
        case 'cancel_order': {
          const cancelled = await deps.cancelUnpaid(orderId, 'payment cancelled at the provider', { providerCancelled: true });
          if (cancelled) return 'applied:cancelled';
          continue;
        }
        case 'refund_after_cancel': {
          // The key is fixed per order: however often this event is redelivered, one refund is made.
          let refund;
          try {
            refund = await deps.provider.refund(order.payment!.providerPaymentId, { idempotencyKey: `auto-refund:${orderId}`, reason: AUTO_REFUND_REASON });
          } catch (err) {
            // A refusal will not change on redelivery: record it for support instead of retrying for days.
            if (!(err instanceof ProviderRejectedError)) throw err;
            logger.error('automatic refund of a payment for a cancelled order was refused', { orderId, providerCode: err.providerCode, error: err.message });
            return `ignored:auto-refund-rejected:${err.providerCode ?? 'unknown'}`;
          }
          await recordRefund(deps, orderId, { providerRefundId: refund.providerRefundId, amountMinor: refund.amountMinor, at: deps.now(), idempotencyKey: `auto-refund:${orderId}`, reason: AUTO_REFUND_REASON });
          event = refundEvent(order.payment!.providerPaymentId, refund.totalRefundedMinor, deps.now());
          prefix = 'refunded-after-cancel:';
          continue;
        }
        case 'apply': {
          const recipient = decision.publish ? await deps.events.recipientOf(order.account.toString()) : null;
          const update = {
            from: [order.status],
            ...(decision.to && { to: { status: decision.to, change: { status: decision.to, at: deps.now(), by: null, reason: `payment provider: ${event.type}` } } }),
            paymentStatus: decision.paymentStatus,
            ...(decision.failureReason !== undefined && { failureReason: decision.failureReason }),
            ...(decision.refundedMinor !== undefined && { refundedMinor: decision.refundedMinor }),
          };
          // The fact and the email it leads to commit together: no enqueue after the commit to lose.
          const updated = await deps.outbox.withEvents(async ({ session, emit }) => {
            const won = await deps.payments.apply(orderId, update, session);
            if (won && decision.publish === 'order.paid') emit(deps.events.paid(won, recipient));
            else if (won && decision.publish === 'order.refunded') emit(deps.events.refunded(won, recipient, decision.refundedMinor! - (order.payment?.refundedMinor ?? 0)));
            return won;
          });
          if (!updated) continue;
          return `${prefix}applied:${decision.to ?? `payment-${decision.paymentStatus}`}`;
        }
      }
    }
    // Kept changing under us: fail so the provider redelivers the event later.
    throw new Error(`order ${orderId} kept changing while applying ${initial.type}`);
  };
}


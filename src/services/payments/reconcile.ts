// What one provider event means for one order: pure, so every ordering of events can be tested
// without a database. The order status only moves along services/orders/lifecycle.ts; an event
// that would need a missing edge (a failure after success, a success after shipping) is ignored;
// money never disappears: a success on a cancelled order is refunded automatically.
import type { OrderStatus, PaymentStatus } from '../../models/Order';
import { canTransition } from '../orders/lifecycle';
import type { PaymentEvent } from './provider';

export interface OrderPaymentState {
  readonly status: OrderStatus;
  readonly payment?: { readonly amountMinor: number; readonly refundedMinor: number; readonly status: PaymentStatus };
}

export type PaymentDecision =
  | { readonly kind: 'ignore'; readonly reason: string }
  | {
      readonly kind: 'apply';
      readonly to?: OrderStatus;
      readonly paymentStatus: PaymentStatus;
      readonly refundedMinor?: number;
      readonly failureReason?: string;
      readonly publish?: 'order.paid' | 'order.payment_failed' | 'order.refunded';
    }
  /** The intent was cancelled at the provider: cancel the unpaid order and give its stock back. */
  | { readonly kind: 'cancel_order' }
  /** Money arrived for an order that was already cancelled (e.g. its reservation expired). */
  | { readonly kind: 'refund_after_cancel' }
  /** Too early to apply (a refund before the success it refunds): the provider must redeliver it later. */
  | { readonly kind: 'defer'; readonly reason: string };

const ignore = (reason: string): PaymentDecision => ({ kind: 'ignore', reason });

function refundedStatus(total: number, amount: number): 'refunded' | 'partially_refunded' {
  return total >= amount ? 'refunded' : 'partially_refunded';
}

export function decide(order: OrderPaymentState, event: PaymentEvent): PaymentDecision {
  const payment = order.payment;
  if (!payment) return ignore('order-has-no-provider-payment');
  switch (event.type) {
    case 'payment_intent.succeeded':
      if (order.status === 'cancelled') return payment.refundedMinor >= payment.amountMinor ? ignore('already-refunded') : { kind: 'refund_after_cancel' };
      if (!canTransition(order.status, 'paid')) return ignore(`stale:order-is-${order.status}`);
      if (event.amountReceivedMinor < payment.amountMinor) return ignore('amount-received-below-order-total');
      return { kind: 'apply', to: 'paid', paymentStatus: 'succeeded', publish: 'order.paid' };

    case 'payment_intent.payment_failed':
      if (order.status === 'payment_failed') return { kind: 'apply', paymentStatus: 'failed', failureReason: event.failureReason ?? 'declined' };
      if (!canTransition(order.status, 'payment_failed')) return ignore(`stale:order-is-${order.status}`);
      return { kind: 'apply', to: 'payment_failed', paymentStatus: 'failed', failureReason: event.failureReason ?? 'declined', publish: 'order.payment_failed' };

    case 'payment_intent.canceled':
      if (order.status === 'cancelled') return payment.status === 'canceled' ? ignore('already-cancelled') : { kind: 'apply', paymentStatus: 'canceled' };
      if (order.status !== 'awaiting_payment' && order.status !== 'payment_failed') return ignore(`stale:order-is-${order.status}`);
      return { kind: 'cancel_order' };

    case 'charge.refunded': {
      // Stripe does not promise delivery order; a non-2xx answer makes it redeliver (for up to 3 days).
      if (order.status === 'awaiting_payment' || order.status === 'payment_failed') return { kind: 'defer', reason: 'refund-before-success' };
      const total = Math.min(event.amountRefundedMinor, payment.amountMinor);
      if (total <= payment.refundedMinor) return ignore('refund-already-recorded');
      const state = refundedStatus(total, payment.amountMinor);
      // Paid orders show the refund in their status; shipped, delivered or cancelled ones keep theirs.
      const to = order.status !== state && canTransition(order.status, state) ? state : undefined;
      return { kind: 'apply', to, paymentStatus: state, refundedMinor: total, publish: 'order.refunded' };
    }

    default:
      return ignore('unhandled-event-type');
  }
}

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
      readonly publish?: 'order.paid' | 'order.refunded';
    }
  /** A declined payment for an order awaiting it: the order fails and gives its stock back. */
  | { readonly kind: 'fail_order'; readonly failureReason: string }
  /** The intent was cancelled at the provider: cancel the unpaid order and give its stock back. */
  | { readonly kind: 'cancel_order' }
  /** Money arrived for an order that was already cancelled (e.g. its reservation expired). */
  | { readonly kind: 'refund_after_cancel' }
  /** Too early to apply (a refund before the success it refunds): the provider must redeliver it later. */
  | { readonly kind: 'defer'; readonly reason: string };

const ignore = (reason: string): PaymentDecision => ({ kind: 'ignore', reason });
/** Orders that are over without a sale: their stock is back, so no payment may complete them. */
const ENDED: readonly OrderStatus[] = ['cancelled', 'payment_failed'];
/** Payment states in which the provider may still take money. */
const OPEN_PAYMENT: readonly PaymentStatus[] = ['requires_payment', 'failed'];

function refundedStatus(total: number, amount: number): 'refunded' | 'partially_refunded' {
  return total >= amount ? 'refunded' : 'partially_refunded';
}

export function decide(order: OrderPaymentState, event: PaymentEvent): PaymentDecision {
  const payment = order.payment;
  if (!payment) return ignore('order-has-no-provider-payment');
  switch (event.type) {
    case 'payment_intent.succeeded':
      // The order ended (cancelled, or failed and restocked): money that still arrives goes back.
      if (ENDED.includes(order.status)) return payment.refundedMinor >= payment.amountMinor ? ignore('already-refunded') : { kind: 'refund_after_cancel' };
      if (!canTransition(order.status, 'paid')) return ignore(`stale:order-is-${order.status}`);
      if (event.amountReceivedMinor < payment.amountMinor) return ignore('amount-received-below-order-total');
      return { kind: 'apply', to: 'paid', paymentStatus: 'succeeded', publish: 'order.paid' };

    case 'payment_intent.payment_failed':
      if (order.status === 'payment_failed') return ignore('already-failed');
      if (!canTransition(order.status, 'payment_failed')) return ignore(`stale:order-is-${order.status}`);
      return { kind: 'fail_order', failureReason: event.failureReason ?? 'declined' };

    case 'payment_intent.canceled':
      // An ended order only records that its open payment is now cancelled too.
      if (ENDED.includes(order.status)) return OPEN_PAYMENT.includes(payment.status) ? { kind: 'apply', paymentStatus: 'canceled' } : ignore('already-settled');
      if (order.status !== 'awaiting_payment') return ignore(`stale:order-is-${order.status}`);
      return { kind: 'cancel_order' };

    case 'charge.refunded': {
      // Stripe does not promise delivery order; a non-2xx answer makes it redeliver (for up to 3 days).
      if (order.status === 'awaiting_payment') return { kind: 'defer', reason: 'refund-before-success' };
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

// The order state machine, in one place and pure. Staff orders: pending → paid → shipped → delivered.
// Checkout orders: awaiting_payment → paid | payment_failed | cancelled. A declined payment ends the
// order (payment_failed gives its stock back and the payment is cancelled at the provider; a success
// that still arrives is refunded), so checking out again starts a new order. paid →
// partially_refunded → refunded; an order not yet shipped can still be cancelled (restocked; any
// unrefunded money is refunded). Nothing moves backwards, so a late or out-of-order event that would
// need a missing edge is ignored.
import type { OrderStatus } from '../../models/Order';

export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  awaiting_payment: ['paid', 'payment_failed', 'cancelled'],
  payment_failed: [],
  paid: ['shipped', 'cancelled', 'partially_refunded', 'refunded'],
  partially_refunded: ['shipped', 'refunded', 'cancelled'],
  refunded: ['cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Every status that may move to `to` (the guard of the conditional update). */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return (Object.keys(TRANSITIONS) as OrderStatus[]).filter((from) => canTransition(from, to));
}

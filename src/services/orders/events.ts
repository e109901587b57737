// The domain events of an order (placed, status changed, cancelled, paid, payment failed, refunded,
// shipped), built for the outbox. Event ids derive from the order (and status, or refunded total),
// so however often a step is retried — or a provider event redelivered — the fact is recorded once.
import type { OrderRecord } from '../../repositories/order.repository';
import type { DomainEvent } from '../outbox/outbox.service';
import { fromMinorUnits } from '../query-engine';

/** Where an order email goes: the account's address, or null when it can no longer receive mail. */
export type FindAccountEmail = (accountId: string) => Promise<string | null>;

/**
 * The recipient is looked up before the transaction (a read inside it would only lengthen the time
 * a hot product stays locked); null when the account can no longer receive mail: then an email-only
 * event is not recorded, and an event analytics counts is recorded with `to: null` (no email).
 */
export interface OrderEvents {
  recipientOf(accountId: string): Promise<string | null>;
  placed(order: OrderRecord, to: string | null): DomainEvent | null;
  /** Always recorded (analytics counts it); without a recipient the email consumer sends nothing. */
  statusChanged(order: OrderRecord, to: string | null): DomainEvent;
  /** Always recorded (analytics counts paid orders); without a recipient no email. */
  paid(order: OrderRecord, to: string | null): DomainEvent;
  paymentFailed(order: OrderRecord, to: string | null): DomainEvent | null;
  /**
   * `amountMinor`: this refund; the id carries the running total so each refund is one event.
   * Always recorded (analytics counts the order's refund records on it); without a recipient no email.
   */
  refunded(order: OrderRecord, to: string | null, amountMinor: number): DomainEvent;
  shipped(order: OrderRecord, to: string | null): DomainEvent | null;
}

export function createOrderEvents(findAccountEmail: FindAccountEmail): OrderEvents {
  const event = (type: DomainEvent['type'], order: OrderRecord, idSuffix: string | null, payload: Record<string, unknown>): DomainEvent => {
    const orderId = order._id.toString();
    return { id: `${type}:${orderId}${idSuffix === null ? '' : `:${idSuffix}`}`, type, aggregateId: `order:${orderId}`, payload: { orderId, ...payload } };
  };

  return {
    recipientOf: findAccountEmail,
    placed(order, to) {
      // A checkout order is confirmed by its payment (order-paid), not when it starts awaiting one.
      if (!to || order.status === 'awaiting_payment') return null;
      return event('order-placed', order, null, {
        to,
        status: order.status,
        total: fromMinorUnits(order.totalMinor),
        currency: order.currency,
        items: order.items.map((i) => ({ name: i.name, quantity: i.quantity, unitPrice: fromMinorUnits(i.unitPriceMinor), lineTotal: fromMinorUnits(i.lineTotalMinor) })),
      });
    },
    // Always recorded (analytics counts it); without a recipient the email consumer sends nothing.
    statusChanged(order, to) {
      if (order.status === 'cancelled') {
        const reason = order.statusHistory.at(-1)?.reason;
        return event('order-cancelled', order, null, { to, status: 'cancelled', ...(reason && { reason }) });
      }
      return event('order-status-changed', order, order.status, { to, status: order.status });
    },
    paid(order, to) {
      return event('order-paid', order, null, { to, status: 'paid', total: fromMinorUnits(order.totalMinor), currency: order.currency });
    },
    paymentFailed(order, to) {
      if (!to) return null;
      const reason = order.payment?.failureReason;
      return event('order-payment-failed', order, null, { to, status: 'payment_failed', ...(reason && { reason }) });
    },
    refunded(order, to, amountMinor) {
      const total = order.payment?.refundedMinor ?? amountMinor;
      return event('order-refunded', order, String(total), {
        to,
        currency: order.currency,
        amount: fromMinorUnits(amountMinor),
        totalRefunded: fromMinorUnits(total),
        fullyRefunded: order.payment ? total >= order.payment.amountMinor : false,
      });
    },
    shipped(order, to) {
      if (!to || !order.shipment) return null;
      return event('order-shipped', order, null, { to, carrier: order.shipment.carrier, trackingNumber: order.shipment.trackingNumber });
    },
  };
}

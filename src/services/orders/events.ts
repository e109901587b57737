// The domain events of an order (placed, status changed, cancelled), built for the outbox. Event ids
// derive from the order (and status), so however often a step is retried the fact is recorded once.
import type { OrderRecord } from '../../repositories/order.repository';
import type { DomainEvent } from '../outbox/outbox.service';
import { fromMinorUnits } from '../query-engine';

/** Where an order email goes: the account's address, or null when it can no longer receive mail. */
export type FindAccountEmail = (accountId: string) => Promise<string | null>;

/**
 * The recipient is looked up before the transaction (a read inside it would only lengthen the time
 * a hot product stays locked); null when the account can no longer receive mail: no event.
 */
export interface OrderEvents {
  recipientOf(accountId: string): Promise<string | null>;
  placed(order: OrderRecord, to: string | null): DomainEvent | null;
  statusChanged(order: OrderRecord, to: string | null): DomainEvent;
}

export function createOrderEvents(findAccountEmail: FindAccountEmail): OrderEvents {
  return {
    recipientOf: findAccountEmail,
    placed(order, to) {
      if (!to) return null;
      const orderId = order._id.toString();
      return {
        id: `order-placed:${orderId}`,
        type: 'order-placed',
        aggregateId: `order:${orderId}`,
        payload: {
          to,
          orderId,
          status: order.status,
          total: fromMinorUnits(order.totalMinor),
          currency: order.currency,
          items: order.items.map((i) => ({ name: i.name, quantity: i.quantity, unitPrice: fromMinorUnits(i.unitPriceMinor), lineTotal: fromMinorUnits(i.lineTotalMinor) })),
        },
      };
    },
    // Always recorded (analytics counts it); without a recipient the email consumer sends nothing.
    statusChanged(order, to) {
      const orderId = order._id.toString();
      if (order.status === 'cancelled') {
        const reason = order.statusHistory.at(-1)?.reason;
        return { id: `order-cancelled:${orderId}`, type: 'order-cancelled', aggregateId: `order:${orderId}`, payload: { to, orderId, status: 'cancelled', ...(reason && { reason }) } };
      }
      return {
        id: `order-status-changed:${orderId}:${order.status}`,
        type: 'order-status-changed',
        aggregateId: `order:${orderId}`,
        payload: { to, orderId, status: order.status },
      };
    },
  };
}

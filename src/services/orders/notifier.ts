// Order emails. Job ids derive from the order (and status), so however often a step is retried the
// customer gets each email once. Email trouble never fails an order: it is logged instead.
import type { EmailKind, EmailQueue } from '../../jobs/email/types';
import type { OrderRecord } from '../../repositories/order.repository';
import { logger } from '../../utils/logger';
import { fromMinorUnits } from '../query-engine';

/** Where an order email goes: the account's address, or null when it can no longer receive mail. */
export type FindAccountEmail = (accountId: string) => Promise<string | null>;

export interface OrderNotifier {
  confirmed(order: OrderRecord): Promise<void>;
  statusChanged(order: OrderRecord): Promise<void>;
  paid(order: OrderRecord): Promise<void>;
  /** `amountMinor`: this refund; the job id carries the running total so each refund mails once. */
  refunded(order: OrderRecord, amountMinor: number): Promise<void>;
  shipped(order: OrderRecord): Promise<void>;
}

export function createOrderNotifier(emailQueue: EmailQueue, findAccountEmail: FindAccountEmail): OrderNotifier {
  async function send(order: OrderRecord, kind: EmailKind, jobId: string, extra: Record<string, unknown> = {}): Promise<void> {
    const orderId = order._id.toString();
    try {
      const to = await findAccountEmail(order.account.toString());
      if (!to) {
        logger.warn('order email skipped: the account has no email address', { orderId, kind });
        return;
      }
      const data = {
        orderId,
        status: order.status,
        total: fromMinorUnits(order.totalMinor),
        currency: order.currency,
        items: order.items.map((i) => ({ name: i.name, quantity: i.quantity, unitPrice: fromMinorUnits(i.unitPriceMinor), lineTotal: fromMinorUnits(i.lineTotalMinor) })),
        ...extra,
      };
      await emailQueue.enqueue({ kind, to, data, jobId });
    } catch (err) {
      logger.error('order email not enqueued', { orderId, kind, jobId, error: (err as Error).message });
    }
  }

  const id = (order: OrderRecord) => order._id.toString();
  return {
    confirmed: (order) => send(order, 'order-confirmation', `order-confirmation:${id(order)}`),
    statusChanged: (order) => send(order, 'order-status', `order-status:${id(order)}:${order.status}`),
    paid: (order) => send(order, 'order-paid', `order-paid:${id(order)}`),
    refunded: (order, amountMinor) => {
      const total = order.payment?.refundedMinor ?? amountMinor;
      return send(order, 'order-refunded', `order-refunded:${id(order)}:${total}`, {
        amount: fromMinorUnits(amountMinor),
        totalRefunded: fromMinorUnits(total),
        fullyRefunded: order.payment ? total >= order.payment.amountMinor : false,
      });
    },
    shipped: (order) =>
      send(order, 'order-shipped', `order-shipped:${id(order)}`, { carrier: order.shipment?.carrier ?? 'the carrier', trackingNumber: order.shipment?.trackingNumber ?? 'n/a' }),
  };
}

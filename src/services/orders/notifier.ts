// Order emails. Job ids derive from the order (and status), so however often a step is retried the
// customer gets each email once. Email trouble never fails an order: it is logged instead.
import type { EmailQueue } from '../../jobs/email/types';
import type { OrderRecord } from '../../repositories/order.repository';
import { logger } from '../../utils/logger';
import { fromMinorUnits } from '../query-engine';

/** Where an order email goes: the account's address, or null when it can no longer receive mail. */
export type FindAccountEmail = (accountId: string) => Promise<string | null>;

export interface OrderNotifier {
  confirmed(order: OrderRecord): Promise<void>;
  statusChanged(order: OrderRecord): Promise<void>;
}

export function createOrderNotifier(emailQueue: EmailQueue, findAccountEmail: FindAccountEmail): OrderNotifier {
  async function send(order: OrderRecord, kind: 'order-confirmation' | 'order-status', jobId: string): Promise<void> {
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
      };
      await emailQueue.enqueue({ kind, to, data, jobId });
    } catch (err) {
      logger.error('order email not enqueued', { orderId, kind, jobId, error: (err as Error).message });
    }
  }

  return {
    confirmed: (order) => send(order, 'order-confirmation', `order-confirmation:${order._id.toString()}`),
    statusChanged: (order) => send(order, 'order-status', `order-status:${order._id.toString()}:${order.status}`),
  };
}

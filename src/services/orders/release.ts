// Orders that give their stock back: a cancel (by a person, the stale sweep, the provider or the
// reservation expiry) and a declined checkout payment. One conditional write picks the single winner;
// only the winner restocks, and it records its event in the same transaction (the outbox), so stock
// comes back exactly once and the email cannot be lost or doubled.
import { Types, type ClientSession } from 'mongoose';
import { CANCELLABLE_STATUSES, type OrderStatus } from '../../models/Order';
import type { OrderRecord, OrderRepository, StatusChangeRecord, Transition } from '../../repositories/order.repository';
import { logger } from '../../utils/logger';
import type { DomainEvent, Outbox } from '../outbox/outbox.service';
import type { StockWriter } from '../stock/stock.service';
import type { TransactionRunner } from '../transactions';
import type { OrderEvents } from './events';

/** Checkout orders whose payment has not succeeded yet: cancelling them needs no refund. */
export const UNPAID_STATUSES: readonly OrderStatus[] = ['awaiting_payment'];

export interface StockReleaseDeps {
  readonly orders: Pick<OrderRepository, 'findById' | 'transition'>;
  /** Restocks go through the stock-write path (back-in-stock alerts are detected there). */
  readonly stock: Pick<StockWriter, 'restock'>;
  readonly transactions: TransactionRunner;
  readonly events: OrderEvents;
  readonly outbox: Outbox;
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
  /** Refunds a paid order or cancels an open payment at the provider (see OrderServiceDeps). */
  readonly settleBeforeCancel?: (order: OrderRecord) => Promise<void>;
  readonly now: () => Date;
}

export function createStockRelease(deps: StockReleaseDeps) {
  const { orders, stock, transactions, events, outbox } = deps;

  function change(to: OrderStatus, by: string | null, reason?: string): StatusChangeRecord {
    return { status: to, at: deps.now(), by: by ? new Types.ObjectId(by) : null, ...(reason && { reason }) };
  }

  async function afterStockChange(order: OrderRecord): Promise<void> {
    await deps.invalidateProducts([...new Set(order.items.map((i) => i.product.toString()))]);
  }

  /** Restocks inside the caller's transaction, or one line at a time (logged if it fails) without one. */
  async function restock(order: OrderRecord, session: ClientSession | null): Promise<void> {
    for (const item of order.items) {
      try {
        await stock.restock({ productId: item.product.toString(), variantId: item.variant?.toString() ?? null, quantity: item.quantity }, session);
      } catch (err) {
        if (session) throw err;
        logger.error('restock failed for an order that gave its stock back', { orderId: order._id.toString(), status: order.status, productId: item.product.toString(), variantId: item.variant?.toString(), quantity: item.quantity, error: (err as Error).message });
      }
    }
  }

  /**
   * Standalone server (no transactions): the event is written right after the state change, so a
   * crash between the two loses it. Logged loudly; see services/outbox/README.md.
   */
  async function recordWithoutTransaction(order: OrderRecord, event: DomainEvent | null): Promise<void> {
    try {
      await outbox.record(null, [event]);
      outbox.committed();
    } catch (err) {
      logger.error('order event not recorded (standalone server, no transaction)', { orderId: order._id.toString(), status: order.status, error: (err as Error).message });
    }
  }

  /** The conditional write decides the single winner; only the winner restocks and records its event. */
  async function release(order: OrderRecord, t: Transition): Promise<OrderRecord | null> {
    const id = order._id.toString();
    const to = await events.recipientOf(order.account.toString());
    const eventOf = (won: OrderRecord) => (won.status === 'payment_failed' ? events.paymentFailed(won, to) : events.statusChanged(won, to));
    if (await transactions.supportsTransactions()) {
      const updated = await transactions.run(async (session) => {
        const won = await orders.transition(id, t, session);
        if (won) {
          await restock(won, session);
          await outbox.record(session, [eventOf(won)]);
        }
        return won;
      });
      if (updated) outbox.committed();
      return updated;
    }
    const updated = await orders.transition(id, t);
    if (updated) {
      await restock(updated, null);
      await recordWithoutTransaction(updated, eventOf(updated));
    }
    return updated;
  }

  function cancelRecord(order: OrderRecord, expectedVersion: number, by: string | null, reason: string | undefined, from: readonly OrderStatus[] = CANCELLABLE_STATUSES): Promise<OrderRecord | null> {
    return release(order, { from, to: 'cancelled', expectedVersion, change: change('cancelled', by, reason) });
  }

  /**
   * Money first: a refund that fails leaves the order as it was. Settling records payment facts (and
   * the provider's webhook may already have cancelled an unpaid order), so the order is read again.
   */
  async function settle(order: OrderRecord): Promise<OrderRecord> {
    if (!order.payment || !deps.settleBeforeCancel) return order;
    await deps.settleBeforeCancel(order);
    return (await orders.findById(order._id.toString())) ?? order;
  }

  return {
    afterStockChange,
    cancelRecord,
    settle,

    /**
     * The system cancels an order that was never paid (its payment was cancelled at the provider, or
     * checkout's reservation expired) and restocks it; then the open payment is cancelled at the
     * provider (best effort: a success that raced it is refunded when it arrives), unless
     * `providerCancelled` says it already is. Nothing was paid, so the order goes first and keeps
     * this reason. Null when the order had moved on (e.g. it was paid).
     */
    async cancelUnpaid(id: string, reason: string, options: { providerCancelled?: boolean } = {}): Promise<OrderRecord | null> {
      const order = await orders.findById(id);
      if (!order || !UNPAID_STATUSES.includes(order.status)) return null;
      const updated = await cancelRecord(order, order.version, null, reason, UNPAID_STATUSES);
      if (!updated) {
        const current = await orders.findById(id);
        return current?.status === 'cancelled' ? current : null;
      }
      await afterStockChange(updated);
      if (!options.providerCancelled) await deps.settleBeforeCancel?.(updated);
      return updated;
    },

    /**
     * A declined checkout payment ends the order: `payment_failed`, stock released with the failure
     * (one transaction, its email through the outbox), then the open payment is cancelled at the
     * provider so no later attempt can charge for it (a success that still arrives is refunded).
     * Null when the order is no longer awaiting payment (the caller decides again).
     */
    async failPayment(id: string, failureReason: string): Promise<OrderRecord | null> {
      const order = await orders.findById(id);
      if (!order || order.status !== 'awaiting_payment') return null;
      const updated = await release(order, {
        from: ['awaiting_payment'],
        to: 'payment_failed',
        expectedVersion: order.version,
        change: change('payment_failed', null, `payment declined: ${failureReason}`),
        payment: { status: 'failed', failureReason },
      });
      if (!updated) return null;
      await afterStockChange(updated);
      await deps.settleBeforeCancel?.(updated);
      return updated;
    },
  };
}

export type StockRelease = ReturnType<typeof createStockRelease>;

// Payment facts on orders: attaching the provider payment and applying what the provider reports.
// Every write is conditional on the order's current status (the state machine's guard), so of two
// racing events only a legal move lands, and amounts only grow ($max).
import type { ClientSession } from 'mongoose';
import type { OrderModel, OrderStatus, PaymentStatus } from '../../models/Order';
import type { OrderRecord, PaymentRecord, StatusChangeRecord } from '../order.repository';

export interface PaymentUpdate {
  /** The order must still be in one of these statuses. */
  readonly from: readonly OrderStatus[];
  /** New order status (with its history entry), or undefined to leave the status alone. */
  readonly to?: { readonly status: OrderStatus; readonly change: StatusChangeRecord };
  readonly paymentStatus?: PaymentStatus;
  readonly failureReason?: string;
  /** Total refunded so far as the provider reports it; the stored value never decreases. */
  readonly refundedMinor?: number;
}

export type PaymentRepository = ReturnType<typeof createPaymentRepository>;

export function createPaymentRepository(model: OrderModel) {
  const lean = <T>(query: { lean(): unknown }) => query.lean() as unknown as Promise<T>;
  return {
    findByProviderPaymentId(providerPaymentId: string): Promise<OrderRecord | null> {
      return lean<OrderRecord | null>(model.findOne({ 'payment.providerPaymentId': providerPaymentId }).setOptions({ sanitizeFilter: true }));
    },

    /** Attaches the payment to an order awaiting it that has none yet; null when that no longer holds. */
    attach(orderId: string, payment: PaymentRecord): Promise<OrderRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: orderId, status: 'awaiting_payment', payment: { $exists: false } },
        { $set: { payment }, $inc: { version: 1 } },
        { returnDocument: 'after', runValidators: true },
      );
      return lean<OrderRecord | null>(query);
    },

    /** Adds a refund to the order's history once (by provider refund id); amounts move through `apply`. */
    addRefund(orderId: string, refund: PaymentRecord['refunds'][number], session?: ClientSession | null): Promise<OrderRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: orderId, payment: { $exists: true }, 'payment.refunds.providerRefundId': { $ne: refund.providerRefundId } },
        { $push: { 'payment.refunds': refund }, $inc: { version: 1 } },
        { returnDocument: 'after', session: session ?? undefined },
      );
      return lean<OrderRecord | null>(query);
    },

    /**
     * Applies one provider fact; null when the guard no longer holds (someone else moved first).
     * `session`: the transaction that also records the fact's outbox event.
     */
    apply(orderId: string, u: PaymentUpdate, session?: ClientSession | null): Promise<OrderRecord | null> {
      const filter: Record<string, unknown> = { _id: orderId, status: { $in: [...u.from] } };
      const set: Record<string, unknown> = {};
      const update: Record<string, unknown> = { $set: set, $inc: { version: 1 } };
      if (u.to) {
        set.status = u.to.status;
        update.$push = { statusHistory: u.to.change };
      }
      if (u.paymentStatus) set['payment.status'] = u.paymentStatus;
      if (u.failureReason !== undefined) set['payment.failureReason'] = u.failureReason;
      if (u.refundedMinor !== undefined) {
        // A smaller total is an older report: the status derived from it must not land either.
        filter['payment.refundedMinor'] = { $lte: u.refundedMinor };
        update.$max = { 'payment.refundedMinor': u.refundedMinor };
      }
      return lean<OrderRecord | null>(model.findOneAndUpdate(filter, update, { returnDocument: 'after', session: session ?? null }));
    },
  };
}

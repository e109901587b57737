// The only code that touches the Order model. Returns plain objects (lean); never throws HTTP errors.
import { rethrowDuplicateKey } from './errors';
import { Types, type ClientSession, type PipelineStage } from 'mongoose';
import type { OrderDoc, OrderModel, OrderStatus, PaymentStatus } from '../models/Order';
import type { OptionValue } from '../models/ProductVariant';
import { countMatching, hiddenFields, lean, readMany } from './lean';

export interface OrderItemRecord {
  product: Types.ObjectId;
  variant?: Types.ObjectId;
  name: string;
  sku: string;
  optionValues?: OptionValue[];
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
}

export interface StatusChangeRecord {
  status: OrderStatus;
  at: Date;
  by: Types.ObjectId | null;
  reason?: string;
}

export interface AddressRecord {
  fullName: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  phone?: string;
}

export interface PaymentRecord {
  provider: 'stripe' | 'simulated';
  providerPaymentId: string;
  amountMinor: number;
  refundedMinor: number;
  status: PaymentStatus;
  failureReason?: string;
  refunds: { providerRefundId: string; amountMinor: number; at: Date; idempotencyKey: string; reason?: string }[];
}

export interface ShipmentRecord {
  carrier: string;
  trackingNumber: string;
  shippedAt: Date;
}

export interface OrderRecord {
  _id: Types.ObjectId;
  account: Types.ObjectId;
  items: OrderItemRecord[];
  subtotalMinor: number;
  totalMinor: number;
  currency: string;
  status: OrderStatus;
  statusHistory: StatusChangeRecord[];
  shippingAddress: AddressRecord;
  payment?: PaymentRecord;
  shipment?: ShipmentRecord;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A line as the service builds it; `lineTotalMinor` is always computed by the model's hook. */
export interface NewOrderItem {
  product: string;
  variant: string;
  name: string;
  sku: string;
  optionValues: OptionValue[];
  unitPriceMinor: number;
  quantity: number;
}

export interface NewOrder {
  _id: Types.ObjectId;
  account: string;
  items: NewOrderItem[];
  currency: string;
  shippingAddress: AddressRecord;
  statusHistory: StatusChangeRecord[];
  idempotencyKey?: string;
  /** Default `pending` (staff orders); checkout creates `awaiting_payment`. */
  status?: Extract<OrderStatus, 'pending' | 'awaiting_payment'>;
}

export interface PageInput {
  readonly filter: Record<string, unknown>;
  readonly sort: Record<string, 1 | -1>;
  readonly skip: number;
  readonly limit: number;
}

export interface Transition {
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus;
  readonly expectedVersion: number;
  readonly change: StatusChangeRecord;
  /** Recorded with the status change (e.g. the shipment when an order ships). */
  readonly shipment?: ShipmentRecord;
  /** The payment's state set with the status (a declined payment: `failed` and the reason). */
  readonly payment?: { readonly status: PaymentStatus; readonly failureReason?: string };
}

export interface StatsRow {
  perDay: { _id: string; orders: number; revenueMinor: number }[];
  perStatus: { _id: OrderStatus; orders: number; totalMinor: number }[];
  topProducts: { _id: Types.ObjectId; name: string; sku: string; quantity: number; revenueMinor: number }[];
  totals: { orders: number; revenueMinor: number }[];
}


/** The stats pipeline: `$match` on the date range (index `{ createdAt: -1, _id: -1 }`), then one `$facet`. */
export function statsPipeline(from: Date, to: Date, topLimit: number): PipelineStage[] {
  const counted = { $ne: ['$status', 'cancelled'] };
  return [
    { $match: { createdAt: { $gte: from, $lt: to } } },
    {
      $facet: {
        perDay: [
          {
            $group: {
              // Days are UTC days ($dateToString's default timezone).
              _id: { $dateToString: { format: '%Y-%m-%d', date: '$createdAt' } },
              orders: { $sum: 1 },
              revenueMinor: { $sum: { $cond: [counted, '$totalMinor', 0] } },
            },
          },
          { $sort: { _id: 1 } },
        ],
        perStatus: [{ $group: { _id: '$status', orders: { $sum: 1 }, totalMinor: { $sum: '$totalMinor' } } }, { $sort: { _id: 1 } }],
        topProducts: [
          { $match: { status: { $ne: 'cancelled' } } },
          { $unwind: '$items' },
          {
            $group: {
              _id: '$items.product',
              name: { $first: '$items.name' },
              sku: { $first: '$items.sku' },
              quantity: { $sum: '$items.quantity' },
              revenueMinor: { $sum: '$items.lineTotalMinor' },
            },
          },
          { $sort: { quantity: -1, revenueMinor: -1, _id: 1 } },
          { $limit: topLimit },
        ],
        totals: [
          { $group: { _id: null, orders: { $sum: 1 }, revenueMinor: { $sum: { $cond: [counted, '$totalMinor', 0] } } } },
        ],
      },
    },
  ];
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;

export function createOrderRepository(model: OrderModel) {
  // Left out of list pages as Mongoose leaves it out: the Idempotency-Key an order was placed with.
  const hidden = hiddenFields(model);
  return {
    /** Runs the model's validate hook, which computes every line total and the order totals. */
    async create(input: NewOrder, session?: ClientSession | null): Promise<OrderRecord> {
      const [doc] = await model.create([input as never as OrderDoc], { session: session ?? null }).catch(rethrowDuplicateKey);
      return (doc as unknown as { toObject(o: object): unknown }).toObject({ virtuals: false }) as OrderRecord;
    },

    /** The latest order an account placed with this Idempotency-Key since `since` (with `placedAs`: first in that status), if any. */
    findByIdempotencyKey(accountId: string, key: string, since: Date, placedAs?: OrderStatus): Promise<OrderRecord | null> {
      const filter = { account: accountId, idempotencyKey: key, createdAt: { $gte: since }, ...(placedAs && { 'statusHistory.0.status': placedAs }) };
      return lean<OrderRecord | null>(model.findOne(filter).sort({ createdAt: -1 }));
    },

    findById(id: string, session?: ClientSession | null): Promise<OrderRecord | null> {
      return lean<OrderRecord | null>(model.findById(id).session(session ?? null));
    },

    findPage(input: PageInput): Promise<OrderRecord[]> {
      return readMany<OrderRecord>(model, input.filter, { projection: hidden, sort: input.sort, skip: input.skip, limit: input.limit });
    },

    count(filter: Record<string, unknown>): Promise<number> {
      return countMatching(model, filter);
    },

    /** Generic guarded write (data fixes); status changes go through `transition`. */
    update(id: string, expectedVersion: number, changes: Partial<Pick<OrderRecord, 'shippingAddress'>>): Promise<OrderRecord | null> {
      const query = model.findOneAndUpdate({ _id: id, version: expectedVersion }, { $set: changes, $inc: { version: 1 } }, { returnDocument: 'after', runValidators: true });
      return lean<OrderRecord | null>(query);
    },

    /** Hard delete, for data fixes only: orders are records of sale and are cancelled, not deleted. */
    async delete(id: string): Promise<boolean> {
      return (await model.deleteOne({ _id: id })).deletedCount === 1;
    },

    /**
     * Moves the order to `to` only if it is still at the version the caller read and in one of the
     * `from` states — a single conditional write, so of two racing changes exactly one wins.
     */
    transition(id: string, t: Transition, session?: ClientSession | null): Promise<OrderRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: id, version: t.expectedVersion, status: { $in: [...t.from] } },
        {
          $set: {
            status: t.to,
            ...(t.shipment && { shipment: t.shipment }),
            ...(t.payment && { 'payment.status': t.payment.status, ...(t.payment.failureReason !== undefined && { 'payment.failureReason': t.payment.failureReason }) }),
          },
          $push: { statusHistory: t.change },
          $inc: { version: 1 },
        },
        { returnDocument: 'after', session: session ?? null },
      );
      return lean<OrderRecord | null>(query);
    },

    /** Oldest first, bounded, served by `{ status: 1, createdAt: -1 }`. */
    findStalePending(olderThan: Date, limit: number): Promise<OrderRecord[]> {
      return lean<OrderRecord[]>(model.find({ status: 'pending', createdAt: { $lt: olderThan } }).sort({ createdAt: 1 }).limit(limit));
    },

    /**
     * Orders with a change to one of `statuses` or a refund record in [from, to), in id order, streamed
     * (a day's sales report). Each `$or` branch has its index — `{ 'statusHistory.at': 1 }` and
     * `{ 'payment.refunds.at': 1 }` — with the time range bounded inside `$elemMatch`.
     */
    changedIn(from: Date, to: Date, statuses: readonly string[]): AsyncIterable<OrderRecord> {
      const within = { $gte: from, $lt: to };
      const filter = { $or: [{ statusHistory: { $elemMatch: { status: { $in: [...statuses] }, at: within } } }, { 'payment.refunds': { $elemMatch: { at: within } } }] };
      return model.find(filter).sort({ _id: 1 }).lean().cursor() as unknown as AsyncIterable<OrderRecord>;
    },

    /** Which of `accountIds` had an order change to `status` before `before` (e.g. paid before a day). */
    async accountsWithStatusBefore(accountIds: readonly string[], status: OrderStatus, before: Date): Promise<string[]> {
      if (!accountIds.length) return [];
      const found = await model.distinct('account', { account: { $in: [...accountIds] }, statusHistory: { $elemMatch: { status, at: { $lt: before } } } });
      return found.map(String);
    },

    /** Checkout orders still awaiting payment created before `olderThan`, oldest first (`{ status: 1, createdAt: -1 }`). */
    findUnpaidBefore(olderThan: Date, limit: number): Promise<OrderRecord[]> {
      return lean<OrderRecord[]>(model.find({ status: 'awaiting_payment', createdAt: { $lt: olderThan } }).sort({ createdAt: 1 }).limit(limit));
    },

    /** Revenue and counts per day and per status, top products: one pipeline over a date range. */
    async stats(from: Date, to: Date, topLimit: number): Promise<StatsRow> {
      const pipeline = statsPipeline(from, to, topLimit);
      const [row] = await model.aggregate<StatsRow>(pipeline);
      return row ?? { perDay: [], perStatus: [], topProducts: [], totals: [] };
    },
  };
}

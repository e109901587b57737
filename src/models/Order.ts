// The order document. Lines are snapshots of the catalog at placement (name, sku, unit price), so an
// order never changes when the catalog does. Money is integer minor units, like products.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

// `pending`: placed by staff (POST /orders), paid out of band. `awaiting_payment`: created by checkout,
// paid through the payment provider; the payment statuses follow (services/orders/lifecycle.ts).
export const ORDER_STATUSES = ['pending', 'awaiting_payment', 'payment_failed', 'paid', 'partially_refunded', 'refunded', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
// A refunded order that has not shipped still holds its stock: cancelling it restocks (and refunds any rest).
// payment_failed is not here: the decline already gave the stock back.
export const CANCELLABLE_STATUSES: readonly OrderStatus[] = ['pending', 'awaiting_payment', 'paid', 'partially_refunded', 'refunded'];
/** Stats cover at most a year per request, so the pipeline's $match stays bounded. */
export const MAX_STATS_DAYS = 366;

/** The payment's own state as the provider reports it (the order status is derived from it). */
export const PAYMENT_STATUSES = ['requires_payment', 'failed', 'succeeded', 'partially_refunded', 'refunded', 'canceled'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const PAYMENT_PROVIDERS = ['stripe', 'simulated'] as const;

const integer = (min: number) => ({
  type: Number,
  required: true,
  min,
  validate: { validator: Number.isSafeInteger, message: '{PATH} must be an integer' },
});

const orderItemSchema = new Schema(
  {
    product: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    // The variant ordered (absent on lines from before variants); sku and optionValues are its snapshot.
    variant: { type: Schema.Types.ObjectId },
    name: { type: String, required: true, maxlength: 200 },
    sku: { type: String, required: true, maxlength: 40 },
    optionValues: { type: [new Schema({ name: String, value: String }, { _id: false })], default: undefined },
    unitPriceMinor: integer(0),
    quantity: integer(1),
    // Computed by the validate hook; any value a caller puts here is overwritten.
    lineTotalMinor: { type: Number, min: 0, default: 0 },
  },
  { _id: false },
);

const statusChangeSchema = new Schema(
  {
    status: { type: String, enum: ORDER_STATUSES, required: true },
    at: { type: Date, required: true },
    // null for changes made by the system (the stale-order sweep).
    by: { type: Schema.Types.ObjectId, default: null },
    reason: { type: String, maxlength: 500 },
  },
  { _id: false },
);

const refundSchema = new Schema(
  {
    providerRefundId: { type: String, required: true, maxlength: 255 },
    amountMinor: integer(1),
    at: { type: Date, required: true },
    // The key the refund was requested with: a retried request finds its refund here.
    idempotencyKey: { type: String, required: true, maxlength: 300 },
    reason: { type: String, maxlength: 500 },
  },
  { _id: false },
);

// Facts from the payment provider. Amounts only grow ($max), so late or repeated events converge.
const paymentSchema = new Schema(
  {
    provider: { type: String, enum: PAYMENT_PROVIDERS, required: true },
    providerPaymentId: { type: String, required: true, maxlength: 255 },
    amountMinor: integer(0),
    refundedMinor: { type: Number, min: 0, default: 0 },
    status: { type: String, enum: PAYMENT_STATUSES, required: true },
    failureReason: { type: String, maxlength: 500 },
    refunds: { type: [refundSchema], default: [] },
  },
  { _id: false },
);

const shipmentSchema = new Schema(
  {
    carrier: { type: String, required: true, maxlength: 100 },
    trackingNumber: { type: String, required: true, maxlength: 100 },
    shippedAt: { type: Date, required: true },
  },
  { _id: false },
);

const addressSchema = new Schema(
  {
    fullName: { type: String, required: true, maxlength: 120 },
    line1: { type: String, required: true, maxlength: 200 },
    line2: { type: String, maxlength: 200 },
    city: { type: String, required: true, maxlength: 100 },
    region: { type: String, maxlength: 100 },
    postalCode: { type: String, required: true, maxlength: 20 },
    country: { type: String, required: true, match: /^[A-Z]{2}$/ },
    phone: { type: String, maxlength: 30 },
  },
  { _id: false },
);

const orderSchema = new Schema(
  {
    account: { type: Schema.Types.ObjectId, ref: 'Account', required: true },
    items: {
      type: [orderItemSchema],
      required: true,
      validate: { validator: (items: unknown[]) => items.length > 0, message: 'an order needs at least one item' },
    },
    subtotalMinor: { type: Number, min: 0, default: 0 },
    totalMinor: { type: Number, min: 0, default: 0 },
    currency: { type: String, required: true, match: /^[A-Z]{3}$/ },
    status: { type: String, enum: ORDER_STATUSES, default: 'pending' },
    statusHistory: { type: [statusChangeSchema], default: [] },
    shippingAddress: { type: addressSchema, required: true },
    // The Idempotency-Key the order was placed with: a retry whose first attempt died after saving
    // the order (before its idempotent answer was stored) finds this order instead of placing another.
    idempotencyKey: { type: String, maxlength: 255, select: false },
    // Absent on staff orders paid out of band; set when checkout creates the provider payment.
    payment: { type: paymentSchema, default: undefined },
    shipment: { type: shipmentSchema, default: undefined },
    // Our optimistic-concurrency counter, bumped by every status change.
    version: { type: Number, required: true, default: 1, min: 1 },
  },
  { timestamps: true, versionKey: false, toJSON: { virtuals: true }, toObject: { virtuals: true } },
);

interface Line {
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
}

/** Line totals and order totals from the lines alone; integers in, integers out. */
export function computeTotals(items: readonly Pick<Line, 'unitPriceMinor' | 'quantity'>[]): { lines: number[]; subtotalMinor: number; totalMinor: number } {
  const lines = items.map((i) => i.unitPriceMinor * i.quantity);
  const subtotalMinor = lines.reduce((sum, n) => sum + n, 0);
  // No shipping, tax or discounts yet: the total is the subtotal.
  return { lines, subtotalMinor, totalMinor: subtotalMinor };
}

// Totals are always derived here, so no client (or buggy caller) can choose its own total.
orderSchema.pre('validate', function () {
  const items = this.items as unknown as Line[];
  const totals = computeTotals(items);
  items.forEach((item, i) => {
    item.lineTotalMinor = totals.lines[i];
  });
  this.subtotalMinor = totals.subtotalMinor;
  this.totalMinor = totals.totalMinor;
});

orderSchema.virtual('itemCount').get(function (this: { items?: { quantity: number }[] }) {
  return (this.items ?? []).reduce((sum, item) => sum + item.quantity, 0);
});

orderSchema.virtual('isCancellable').get(function (this: { status: OrderStatus }) {
  return CANCELLABLE_STATUSES.includes(this.status);
});

// Each index serves a documented query shape (QUERY-ENGINE-DOC.md, "Orders"). `_id` closes each
// listing index because it is the sort's tie-break: the index then yields rows already in order.
orderSchema.index({ status: 1, createdAt: -1, _id: -1 });
orderSchema.index({ account: 1, createdAt: -1, _id: -1 });
orderSchema.index({ createdAt: -1, _id: -1 });
// Orders by when their status changed (a day's sales report: paid, refunded or cancelled in the day): one
// multikey entry per change; the status is checked on the fetched entry (a handful per order).
orderSchema.index({ 'statusHistory.at': 1 });
// Orders by when they were refunded (the report's day counts every refund record, and a return of a
// delivered order changes no status). Sparse: orders never refunded have no entry.
orderSchema.index({ 'payment.refunds.at': 1 }, { sparse: true });
// The order an account placed with a key (orders placed without one are not indexed). Not unique: a
// key may be used again once its idempotency window has passed; within it, the claim in
// idempotency_keys lets one attempt run at a time.
orderSchema.index({ account: 1, idempotencyKey: 1 }, { partialFilterExpression: { idempotencyKey: { $type: 'string' } }, name: 'order_idempotency_key' });
// Webhooks find the order by the provider's payment id.
orderSchema.index({ 'payment.providerPaymentId': 1 }, { unique: true, partialFilterExpression: { 'payment.providerPaymentId': { $type: 'string' } }, name: 'payment_providerPaymentId_unique' });

export type OrderDoc = InferSchemaType<typeof orderSchema>;
export type OrderModel = Model<OrderDoc>;

/** The Order model on `connection`, compiled once per connection. */
export function orderModel(connection: Connection): OrderModel {
  return (connection.models.Order as OrderModel | undefined) ?? connection.model<OrderDoc>('Order', orderSchema);
}

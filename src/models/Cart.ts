// The cart: one per account (unique), lines by variant. A line keeps what the customer saw when they
// added it (name, sku, unit price) so reading the cart can flag what changed since; prices that count
// are always recomputed from the catalog. Untouched carts expire through a TTL index.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** Bounds shared with order placement, so whatever a cart holds can be checked out as one order. */
export const MAX_CART_LINES = 50;
export const MAX_CART_LINE_QUANTITY = 1000;

const integer = (min: number, max?: number) => ({
  type: Number,
  required: true,
  min,
  ...(max !== undefined && { max }),
  validate: { validator: Number.isSafeInteger, message: '{PATH} must be an integer' },
});

const cartLineSchema = new Schema(
  {
    product: { type: Schema.Types.ObjectId, required: true },
    variant: { type: Schema.Types.ObjectId, required: true },
    quantity: integer(1, MAX_CART_LINE_QUANTITY),
    // Snapshot when the line was added or last changed: what "price changed" is measured against.
    unitPriceMinor: integer(0),
    currency: { type: String, required: true, maxlength: 10 },
    name: { type: String, required: true, maxlength: 200 },
    sku: { type: String, required: true, maxlength: 40 },
    addedAt: { type: Date, required: true },
  },
  { _id: false },
);

const cartSchema = new Schema(
  {
    account: { type: Schema.Types.ObjectId, required: true },
    lines: {
      type: [cartLineSchema],
      default: [],
      validate: { validator: (lines: unknown[]) => lines.length <= MAX_CART_LINES, message: `a cart holds at most ${MAX_CART_LINES} lines` },
    },
    /** Set while a checkout of this cart runs; a second checkout meanwhile is refused. Lapses after a lease. */
    checkoutStartedAt: { type: Date, default: null },
    /** Renewed by every change; the TTL monitor deletes the cart after it (readers also check it). */
    expiresAt: { type: Date, required: true },
    // Our optimistic-concurrency counter, bumped by every write.
    version: { type: Number, required: true, default: 1, min: 1 },
  },
  { timestamps: true, versionKey: false },
);

// One active cart per account.
cartSchema.index({ account: 1 }, { unique: true });
cartSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type CartDoc = InferSchemaType<typeof cartSchema>;
export type CartModel = Model<CartDoc>;

/** The Cart model on `connection`, compiled once per connection. */
export function cartModel(connection: Connection): CartModel {
  return (connection.models.Cart as CartModel | undefined) ?? connection.model<CartDoc>('Cart', cartSchema);
}

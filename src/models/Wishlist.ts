// One wishlist per account: the variants it watches (bounded, each once) and whether it wants
// back-in-stock emails. Items are embedded so "add unless present and not full" is one conditional
// single-document update, exact under concurrent adds.
import './deadline.plugin';
import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const MAX_WISHLIST_ITEMS = 100;

export interface WishlistItemDoc {
  product: Types.ObjectId;
  variant: Types.ObjectId;
  addedAt: Date;
}

export interface WishlistDoc {
  _id: Types.ObjectId;
  account: Types.ObjectId;
  items: WishlistItemDoc[];
  /** Opt-out of back-in-stock emails (the wishlist itself keeps working). */
  notifyBackInStock: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const itemSchema = new Schema<WishlistItemDoc>(
  {
    product: { type: Schema.Types.ObjectId, required: true },
    variant: { type: Schema.Types.ObjectId, required: true },
    addedAt: { type: Date, required: true },
  },
  { _id: false },
);

const wishlistSchema = new Schema<WishlistDoc>(
  {
    account: { type: Schema.Types.ObjectId, required: true },
    items: {
      type: [itemSchema],
      default: [],
      validate: { validator: (items: unknown[]) => items.length <= MAX_WISHLIST_ITEMS, message: `at most ${MAX_WISHLIST_ITEMS} items` },
    },
    notifyBackInStock: { type: Boolean, default: true },
  },
  { timestamps: true, versionKey: false, collection: 'wishlists' },
);

wishlistSchema.index({ account: 1 }, { unique: true });
// The back-in-stock fan-out: who watches this variant and still wants the email, in account order.
wishlistSchema.index({ 'items.variant': 1, notifyBackInStock: 1, account: 1 });

export type WishlistModel = Model<WishlistDoc>;

/** The Wishlist model on `connection`, compiled once per connection. */
export function wishlistModel(connection: Connection): WishlistModel {
  return (connection.models.Wishlist as WishlistModel | undefined) ?? connection.model<WishlistDoc>('Wishlist', wishlistSchema);
}

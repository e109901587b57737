// The only code that touches the Wishlist model. Every read and write is keyed by the account the
// caller is (never by a wishlist id), so no query here can reach another account's list.
import { Types } from 'mongoose';
import type { WishlistDoc, WishlistModel } from '../models/Wishlist';
import { isDuplicateKey } from './errors';

export interface WishlistItemRecord {
  readonly productId: string;
  readonly variantId: string;
  readonly addedAt: Date;
}

export interface WishlistRecord {
  readonly accountId: string;
  /** Oldest first (the order they were added). */
  readonly items: readonly WishlistItemRecord[];
  readonly notifyBackInStock: boolean;
}

/** `added`: now on the list; `present`: it already was (adding is idempotent); `full`: the list is at its bound. */
export type AddOutcome = 'added' | 'present' | 'full';

const ADD_ATTEMPTS = 5;

function toRecord(doc: Pick<WishlistDoc, 'account' | 'items' | 'notifyBackInStock'>): WishlistRecord {
  return {
    accountId: doc.account.toString(),
    items: (doc.items ?? []).map((i) => ({ productId: i.product.toString(), variantId: i.variant.toString(), addedAt: i.addedAt })),
    notifyBackInStock: doc.notifyBackInStock ?? true,
  };
}

export type WishlistRepository = ReturnType<typeof createWishlistRepository>;

export function createWishlistRepository(model: WishlistModel) {
  return {
    async findByAccount(accountId: string): Promise<WishlistRecord | null> {
      const doc = await model.findOne({ account: new Types.ObjectId(accountId) }).lean<WishlistDoc | null>();
      return doc ? toRecord(doc) : null;
    },

    /**
     * Adds the variant unless it is already there or the list holds `maxItems`: one conditional
     * update (created on first use), so concurrent adds can neither exceed the bound nor add twice.
     */
    async addItem(accountId: string, item: { productId: string; variantId: string }, maxItems: number, now: Date): Promise<AddOutcome> {
      const account = new Types.ObjectId(accountId);
      const variant = new Types.ObjectId(item.variantId);
      for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt += 1) {
        try {
          const result = await model.updateOne(
            { account, 'items.variant': { $ne: variant }, [`items.${maxItems - 1}`]: { $exists: false } },
            { $push: { items: { product: new Types.ObjectId(item.productId), variant, addedAt: now } }, $setOnInsert: { notifyBackInStock: true } },
            { upsert: true, setDefaultsOnInsert: false },
          );
          if (result.modifiedCount === 1 || result.upsertedCount === 1) return 'added';
        } catch (err) {
          // The list exists but refused the push: the upsert's insert met the unique account index.
          if (!isDuplicateKey(err)) throw err;
        }
        const current = await model.findOne({ account }, { items: 1 }).lean<Pick<WishlistDoc, 'items'> | null>();
        if (current?.items.some((i) => i.variant.equals(variant))) return 'present';
        if (current && current.items.length >= maxItems) return 'full';
        // An item was removed, or the first insert raced ours, in between: try again.
      }
      throw new Error('wishlist add did not settle');
    },

    /** True when the variant was on the list. */
    async removeItem(accountId: string, variantId: string): Promise<boolean> {
      const variant = new Types.ObjectId(variantId);
      // Matched on the variant: `timestamps` sets updatedAt on every update, so an unmatched $pull
      // would still count as modified.
      const result = await model.updateOne({ account: new Types.ObjectId(accountId), 'items.variant': variant }, { $pull: { items: { variant } } });
      return result.modifiedCount === 1;
    },

    async setNotifyBackInStock(accountId: string, notify: boolean): Promise<WishlistRecord> {
      const write = () =>
        model.findOneAndUpdate({ account: new Types.ObjectId(accountId) }, { $set: { notifyBackInStock: notify } }, { upsert: true, returnDocument: 'after', setDefaultsOnInsert: true }).lean<WishlistDoc>();
      // Two first-ever writes of one account race to insert: the loser updates the winner's list.
      const doc = await write().catch((err: unknown) => (isDuplicateKey(err) ? write() : Promise.reject(err)));
      return toRecord(doc);
    },

    /**
     * Accounts that had `variantId` on their list at `addedUpTo` and want back-in-stock emails, in
     * account order after `after` (a page of the fan-out).
     */
    async findWatchers(variantId: string, addedUpTo: Date, after: string | null, limit: number): Promise<string[]> {
      const docs = await model
        .find(
          {
            items: { $elemMatch: { variant: new Types.ObjectId(variantId), addedAt: { $lte: addedUpTo } } },
            notifyBackInStock: true,
            ...(after && { account: { $gt: new Types.ObjectId(after) } }),
          },
          { account: 1 },
        )
        .sort({ account: 1 })
        .limit(limit)
        .lean<Pick<WishlistDoc, 'account'>[]>();
      return docs.map((d) => d.account.toString());
    },
  };
}

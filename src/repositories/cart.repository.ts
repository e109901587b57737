// The only code that touches the Cart model. Every write is conditional on the version the service
// read (optimistic concurrency), so two tabs editing one cart never lose a change silently.
import { Types } from 'mongoose';
import type { CartModel } from '../models/Cart';
import { isDuplicateKey } from './errors';

export interface CartLineRecord {
  product: Types.ObjectId;
  variant: Types.ObjectId;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  name: string;
  sku: string;
  addedAt: Date;
}

export interface CartRecord {
  _id: Types.ObjectId;
  account: Types.ObjectId;
  lines: CartLineRecord[];
  checkoutStartedAt: Date | null;
  expiresAt: Date;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type CartRepository = ReturnType<typeof createCartRepository>;

export function createCartRepository(model: CartModel) {
  const lean = <T>(query: { lean(): unknown }) => query.lean() as unknown as Promise<T>;
  const byAccount = (accountId: string) => ({ account: new Types.ObjectId(accountId) });

  return {
    findByAccount(accountId: string): Promise<CartRecord | null> {
      return lean<CartRecord | null>(model.findOne(byAccount(accountId)));
    },

    /**
     * Replaces the lines if the cart is still at `expectedVersion` (null: no cart yet, so it is
     * created). Null when someone else wrote first (or created it): the caller reads again.
     */
    async saveLines(accountId: string, expectedVersion: number | null, lines: readonly CartLineRecord[], expiresAt: Date): Promise<CartRecord | null> {
      if (expectedVersion === null) {
        try {
          const created = await model.create({ ...byAccount(accountId), lines: [...lines], expiresAt });
          return created.toObject() as unknown as CartRecord;
        } catch (err) {
          if (isDuplicateKey(err)) return null;
          throw err;
        }
      }
      const query = model.findOneAndUpdate(
        { ...byAccount(accountId), version: expectedVersion },
        { $set: { lines, expiresAt }, $inc: { version: 1 } },
        { returnDocument: 'after', runValidators: true },
      );
      return lean<CartRecord | null>(query);
    },

    /**
     * Marks the cart as being checked out, unless another checkout holds it (a claim older than
     * `staleBefore` was abandoned and is taken over). Null when the cart changed or is claimed.
     */
    claimCheckout(accountId: string, expectedVersion: number, at: Date, staleBefore: Date): Promise<CartRecord | null> {
      const query = model.findOneAndUpdate(
        { ...byAccount(accountId), version: expectedVersion, $or: [{ checkoutStartedAt: null }, { checkoutStartedAt: { $lt: staleBefore } }] },
        { $set: { checkoutStartedAt: at }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      return lean<CartRecord | null>(query);
    },

    /** Ends a checkout: the lines it turned into an order leave the cart (lines added meanwhile stay). */
    async completeCheckout(accountId: string, variants: readonly Types.ObjectId[]): Promise<void> {
      await model.updateOne(byAccount(accountId), { $pull: { lines: { variant: { $in: [...variants] } } }, $set: { checkoutStartedAt: null }, $inc: { version: 1 } });
    },

    /** Ends a checkout that failed: the cart is as it was. */
    async releaseCheckout(accountId: string, at: Date): Promise<void> {
      await model.updateOne({ ...byAccount(accountId), checkoutStartedAt: at }, { $set: { checkoutStartedAt: null }, $inc: { version: 1 } });
    },
  };
}

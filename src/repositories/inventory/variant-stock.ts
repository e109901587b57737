// Catalog reads and writes for bulk inventory: products by variant SKU, version-guarded variant-list
// writes in one bulkWrite per batch (the same write a staff variant edit makes, many at once), and
// the catalog as a cursor for the export.
import { Types } from 'mongoose';
import type { ProductModel } from '../../models/Product';
import type { VariantRecord } from '../../models/ProductVariant';
import type { ProductChanges, StockAlertRecord } from '../product.repository';

export interface StockTarget {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  status: string;
  currency: string;
  version: number;
  priceMinor: number;
  deletedAt: Date | null;
  variants: VariantRecord[];
  stockImports?: string[];
}

export interface VersionedWrite {
  readonly productId: Types.ObjectId;
  readonly expectedVersion: number;
  readonly changes: ProductChanges;
  /** Stock alerts the write crosses, stored with it (services/stock moves them to the outbox). */
  readonly alerts?: readonly StockAlertRecord[];
}

export interface ExportProduct {
  _id: Types.ObjectId;
  name: string;
  priceMinor: number;
  currency: string;
  variants?: VariantRecord[];
  sku: string;
  stock: number;
}

/** How many import marks a product keeps: enough to cover any batch still being retried. */
const MARKS_KEPT = 20;

export type VariantStockRepository = ReturnType<typeof createVariantStockRepository>;

export function createVariantStockRepository(model: ProductModel) {
  return {
    /** Every product (deleted ones too: the caller explains why their SKUs are refused) owning one of `skus`. */
    findBySkus(skus: readonly string[]): Promise<StockTarget[]> {
      return model
        .find({ 'variants.sku': { $in: skus } }, { name: 1, slug: 1, status: 1, currency: 1, version: 1, priceMinor: 1, deletedAt: 1, variants: 1, stockImports: 1 })
        .lean() as unknown as Promise<StockTarget[]>;
    },

    /**
     * Each write applies only if its product is still at `expectedVersion` (and not deleted), bumps
     * the version and leaves `mark`. Returns how many matched; `markedAmong` tells which.
     */
    async writeVersioned(writes: readonly VersionedWrite[], mark: string): Promise<number> {
      if (!writes.length) return 0;
      const result = await model.bulkWrite(
        writes.map((w) => ({
          updateOne: {
            filter: { _id: w.productId, version: w.expectedVersion, deletedAt: null },
            // An _id equality is always best served by the _id index; the hint spares the planner a
            // trial of every index that starts with the other fields, per write (1000 per batch).
            hint: { _id: 1 },
            update: {
              $set: w.changes,
              $inc: { version: 1 },
              $push: { stockImports: { $each: [mark], $slice: -MARKS_KEPT }, ...(w.alerts?.length && { stockAlerts: { $each: w.alerts } }) },
            },
          },
        })) as never,
        { ordered: false },
      );
      return result.matchedCount;
    },

    async markedAmong(ids: readonly Types.ObjectId[], mark: string): Promise<Set<string>> {
      const docs = (await model.find({ _id: { $in: ids }, stockImports: mark }, { _id: 1 }).lean()) as unknown as { _id: Types.ObjectId }[];
      return new Set(docs.map((d) => d._id.toString()));
    },

    /** Live products after `after` in id order, `limit` of them (keyset pages: each is a short query). */
    exportPage(after: Types.ObjectId | null, limit: number): Promise<ExportProduct[]> {
      return model
        .find({ deletedAt: null, ...(after && { _id: { $gt: after } }) }, { name: 1, sku: 1, stock: 1, priceMinor: 1, currency: 1, variants: 1 })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<ExportProduct[]>()
        .exec();
    },
  };
}

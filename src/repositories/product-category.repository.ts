// Products as members of the category tree: the Product model's `category` / `categoryPath` fields,
// rewritten with the tree (moves, renames, reassignment on delete) and counted for the tree's facets.
// Every write bumps the product's `version`, so its ETag and cached views change with its category.
import type { ClientSession, Types } from 'mongoose';
import type { ProductModel } from '../models/Product';
import type { MongoFilter } from './query.types';

/** Where a product sits in the tree: its category's slug and the slugs from the root down to it. */
export interface CategoryPlacement {
  readonly category: string;
  readonly categoryPath: readonly string[];
}

type Session = ClientSession | null | undefined;

export type ProductCategoryRepository = ReturnType<typeof createProductCategoryRepository>;

export function createProductCategoryRepository(model: ProductModel) {
  const opts = (session: Session) => ({ session: session ?? undefined });

  return {
    /** Products filed directly under `slug`, soft-deleted ones included (they can be restored). */
    countInCategory(slug: string, session?: Session): Promise<number> {
      return model.countDocuments({ category: slug }).session(session ?? null).exec();
    },

    /** Ids of the products filed directly under any of `slugs` (for cache invalidation). */
    async idsInCategories(slugs: readonly string[], session?: Session): Promise<string[]> {
      if (!slugs.length) return [];
      const ids = await model.distinct('_id', { category: { $in: slugs } }).session(session ?? null);
      return (ids as Types.ObjectId[]).map((id) => id.toString());
    },

    /** Re-files every product of category `fromSlug` at `placement`; returns how many changed. */
    async moveAll(fromSlug: string, placement: CategoryPlacement, session?: Session): Promise<number> {
      const result = await model.updateMany(
        { category: fromSlug },
        { $set: { category: placement.category, categoryPath: [...placement.categoryPath] }, $inc: { version: 1 } },
        opts(session),
      );
      return result.modifiedCount;
    },

    /** Products matching `filter` per slug on their path: each category's count includes its descendants. */
    async countPerPathSlug(filter: MongoFilter): Promise<Map<string, number>> {
      const rows = await model.aggregate<{ _id: string; count: number }>([
        { $match: filter },
        { $unwind: '$categoryPath' },
        { $group: { _id: '$categoryPath', count: { $sum: 1 } } },
      ]);
      return new Map(rows.map((r) => [r._id, r.count]));
    },

    /** Products matching `filter` in `slug` or below it. */
    countUnder(slug: string, filter: MongoFilter): Promise<number> {
      return model.countDocuments({ ...filter, categoryPath: slug }).exec();
    },

    // --- migration: string categories → the tree ---------------------------------------------

    countWithoutPath(): Promise<number> {
      return model.countDocuments({ categoryPath: { $exists: false } }).exec();
    },

    /** The distinct category strings of products not yet in the tree. */
    async legacyCategories(): Promise<string[]> {
      const values = await model.distinct('category', { categoryPath: { $exists: false } });
      return (values as string[]).sort();
    },

    /**
     * Files the products still outside the tree whose category string is exactly `legacy`; safe to
     * repeat. Native driver: Mongoose would lower-case and trim the filter value (the schema's
     * setters), missing strings stored before those rules existed.
     */
    async placeLegacy(legacy: string, placement: CategoryPlacement): Promise<number> {
      const result = await model.collection.updateMany(
        { category: legacy, categoryPath: { $exists: false } },
        { $set: { category: placement.category, categoryPath: [...placement.categoryPath] }, $inc: { version: 1 } },
      );
      return result.modifiedCount;
    },
  };
}

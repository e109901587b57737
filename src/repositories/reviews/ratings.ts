// A product's rating aggregates (ratingHistogram, ratingCount, ratingAverage), written over the
// Product model. A review change arrives as a per-star delta and is applied by ONE pipeline update:
// the histogram is incremented and count and average are recomputed from it in the same atomic
// write, so concurrent changes commute (no read-modify-write, no lost update) and the three fields
// can never disagree. `version` is bumped because the product's representation (and ETag) changed.
import { Types } from 'mongoose';
import type { ProductModel } from '../../models/Product';

export interface RatingAggregates {
  ratingHistogram: number[];
  ratingCount: number;
  ratingAverage: number;
}

export interface RatedProduct {
  _id: Types.ObjectId;
  version: number;
  ratingHistogram?: number[];
  ratingCount: number;
  ratingAverage: number;
}

export type RatingRepository = ReturnType<typeof createRatingRepository>;

const STARS = { $range: [0, 5] };
const at = (array: unknown, index: unknown) => ({ $arrayElemAt: [array, index] });

/** The update pipeline for one delta; exported for the unit test that checks it against ratingAverageOf. */
export function ratingUpdatePipeline(delta: readonly number[]): Record<string, unknown>[] {
  const current = { $ifNull: ['$ratingHistogram', [0, 0, 0, 0, 0]] };
  const count = { $sum: '$ratingHistogram' };
  const sum = { $sum: { $map: { input: STARS, as: 'i', in: { $multiply: [{ $add: ['$$i', 1] }, at('$ratingHistogram', '$$i')] } } } };
  // floor(mean × 100 + 0.5) / 100: half-up to 2 places, as ratingAverageOf (models/Review.ts).
  const average = { $divide: [{ $floor: { $add: [{ $multiply: [{ $divide: [sum, count] }, 100] }, 0.5] } }, 100] };
  return [
    { $set: { ratingHistogram: { $map: { input: STARS, as: 'i', in: { $add: [at(current, '$$i'), at({ $literal: [...delta] }, '$$i')] } } } } },
    { $set: { ratingCount: count, ratingAverage: { $cond: [{ $gt: [count, 0] }, average, 0] }, version: { $add: ['$version', 1] } } },
  ];
}

export function createRatingRepository(model: ProductModel) {
  return {
    /** Applies a per-star delta; the aggregates after it, or null when the product is gone. */
    async apply(productId: string, delta: readonly number[]): Promise<RatingAggregates | null> {
      const after = await model
        .findOneAndUpdate({ _id: productId }, ratingUpdatePipeline(delta), {
          updatePipeline: true,
          returnDocument: 'after',
          projection: { ratingHistogram: 1, ratingCount: 1, ratingAverage: 1 },
        })
        .lean<RatingAggregates | null>();
      return after;
    },

    /** Products after `afterId` in `_id` order with their stored aggregates (for the repair). */
    batch(afterId: Types.ObjectId | null, limit: number): Promise<RatedProduct[]> {
      const query = model
        .find(afterId ? { _id: { $gt: afterId } } : {}, { version: 1, ratingHistogram: 1, ratingCount: 1, ratingAverage: 1 })
        .sort({ _id: 1 })
        .limit(limit);
      return query.lean<RatedProduct[]>() as unknown as Promise<RatedProduct[]>;
    },

    /**
     * Overwrites each product's aggregates only if it is still at the version the repair read (one
     * unordered bulk write); returns how many were written — the rest changed meanwhile.
     */
    async setIfVersion(updates: readonly { id: Types.ObjectId; version: number; aggregates: RatingAggregates }[]): Promise<number> {
      if (!updates.length) return 0;
      const result = await model.bulkWrite(
        updates.map((u) => ({ updateOne: { filter: { _id: u.id, version: u.version }, update: { $set: u.aggregates, $inc: { version: 1 } } } })),
        { ordered: false },
      );
      return result.modifiedCount;
    },
  };
}

// Keeping a product's rating aggregates equal to its published reviews.
//
// Each review change is one atomic write on the review (create, version-guarded edit, delete,
// status move) that says exactly what was counted before and after; the difference is applied to
// the product as one atomic pipeline update (repositories/reviews/ratings.ts). Increments commute,
// so any number of concurrent reviews add up exactly. There is no multi-document transaction: a
// product is a hot document (every review of it writes there), and transactions on it would
// abort each other under load — as with stock, the catalogue avoids them. The one gap is a
// process dying between the two writes; `npm run reviews:repair` recounts from the reviews.
import type { Types } from 'mongoose';
import { emptyHistogram, ratingAverageOf, ratingCountOf, type ReviewStatus } from '../../models/Review';
import type { RatingAggregates, RatingRepository } from '../../repositories/reviews/ratings';
import type { ReviewRepository } from '../../repositories/reviews/review.repository';
import type { ReviewVoteRepository } from '../../repositories/reviews/votes';
import { logger } from '../../utils/logger';
import { withoutDeadline } from '../../utils/tracing';

/** What a review contributes to its product's aggregates: a published rating, or nothing. */
export type Counted = { readonly rating: number; readonly status: ReviewStatus } | null;

/** Per-star change from `before` to `after`; null when nothing counted changes. */
export function ratingDelta(before: Counted, after: Counted): number[] | null {
  const delta = emptyHistogram();
  if (before?.status === 'published') delta[before.rating - 1] -= 1;
  if (after?.status === 'published') delta[after.rating - 1] += 1;
  return delta.some((n) => n !== 0) ? delta : null;
}

export function aggregatesOf(histogram: readonly number[]): RatingAggregates {
  return { ratingHistogram: [...histogram], ratingCount: ratingCountOf(histogram), ratingAverage: ratingAverageOf(histogram) };
}

export interface RatingKeeperDeps {
  readonly ratings: Pick<RatingRepository, 'apply'>;
  /** Drops cached product answers (ProductService.invalidate). */
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
}

export type RatingKeeper = ReturnType<typeof createRatingKeeper>;

export function createRatingKeeper(deps: RatingKeeperDeps) {
  return {
    /** Call after the review's own write succeeded, with what it counted before and after. */
    async reviewChanged(productId: string, reviewId: string, before: Counted, after: Counted): Promise<void> {
      const delta = ratingDelta(before, after);
      if (!delta) return;
      try {
        // The review write is done: its aggregate must follow even if the request's deadline passed meanwhile.
        await withoutDeadline(() => deps.ratings.apply(productId, delta));
      } catch (err) {
        // The caller's change did happen; failing the request would invite a retry that cannot succeed.
        logger.error('product rating not updated after a review change; run `npm run reviews:repair`', { productId, reviewId, delta, error: (err as Error).message });
        return;
      }
      await deps.invalidateProducts([productId]);
    },
  };
}

export interface RepairCounts {
  checked: number;
  fixed: number;
  /** Changed by a live write while the repair looked at it: left alone; run the repair again. */
  raced: number;
}

export interface RepairReport {
  readonly dryRun: boolean;
  readonly products: RepairCounts;
  readonly reviews: RepairCounts;
}

export interface RatingRepairDeps {
  readonly reviews: Pick<ReviewRepository, 'histograms' | 'helpfulBatch' | 'setHelpfulIf'>;
  readonly votes: Pick<ReviewVoteRepository, 'counts'>;
  readonly ratings: Pick<RatingRepository, 'batch' | 'setIfVersion'>;
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
}

const sameAggregates = (a: RatingAggregates, b: RatingAggregates) =>
  a.ratingCount === b.ratingCount && a.ratingAverage === b.ratingAverage && a.ratingHistogram.length === 5 && a.ratingHistogram.every((n, i) => n === b.ratingHistogram[i]);

/**
 * Recomputes every product's aggregates from its published reviews and every review's helpful
 * count from its votes, in `_id` batches. A write is guarded by what was read (the product's
 * version, the stored count), so a live change racing the repair is never overwritten.
 */
export function createRatingRepair(deps: RatingRepairDeps) {
  async function repairProducts(dryRun: boolean, batchSize: number): Promise<RepairCounts> {
    const counts: RepairCounts = { checked: 0, fixed: 0, raced: 0 };
    let after: Types.ObjectId | null = null;
    for (;;) {
      const batch = await deps.ratings.batch(after, batchSize);
      if (!batch.length) return counts;
      after = batch[batch.length - 1]!._id;
      const histograms = await deps.reviews.histograms(batch.map((p) => p._id));
      const updates = batch
        .map((product) => {
          const aggregates = aggregatesOf(histograms.get(product._id.toHexString()) ?? emptyHistogram());
          const stored = { ratingHistogram: product.ratingHistogram ?? [], ratingCount: product.ratingCount, ratingAverage: product.ratingAverage };
          return sameAggregates(aggregates, stored) ? null : { id: product._id, version: product.version, aggregates };
        })
        .filter((u) => u !== null);
      counts.checked += batch.length;
      const written = dryRun ? updates.length : await deps.ratings.setIfVersion(updates);
      counts.fixed += written;
      counts.raced += updates.length - written;
      if (written && !dryRun) await deps.invalidateProducts(updates.map((u) => u.id.toHexString()));
    }
  }

  async function repairHelpful(dryRun: boolean, batchSize: number): Promise<RepairCounts> {
    const counts: RepairCounts = { checked: 0, fixed: 0, raced: 0 };
    let after: Types.ObjectId | null = null;
    for (;;) {
      const batch = await deps.reviews.helpfulBatch(after, batchSize);
      if (!batch.length) return counts;
      after = batch[batch.length - 1]!._id;
      const votes = await deps.votes.counts(batch.map((r) => r._id));
      const updates = batch
        .map((review) => ({ id: review._id, stored: review.helpfulCount, count: votes.get(review._id.toHexString()) ?? 0 }))
        .filter((u) => u.stored !== u.count);
      counts.checked += batch.length;
      const written = dryRun ? updates.length : await deps.reviews.setHelpfulIf(updates);
      counts.fixed += written;
      counts.raced += updates.length - written;
    }
  }

  return async function repair(options: { dryRun?: boolean; batchSize?: number } = {}): Promise<RepairReport> {
    const dryRun = options.dryRun ?? false;
    const batchSize = options.batchSize ?? 500;
    const products = await repairProducts(dryRun, batchSize);
    const reviews = await repairHelpful(dryRun, batchSize);
    return { dryRun, products, reviews };
  };
}

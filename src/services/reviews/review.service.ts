// Review rules: only a verified buyer (a delivered order with the product) may review, once per
// product; the author edits and deletes their own review (anyone else gets the 404 of a missing
// one, as with orders); staff hide and unhide with a reason (moderation.ts); helpful votes
// (votes.ts). Every change that alters what a product counts updates its aggregates (ratings.ts).
import { isValidObjectId } from 'mongoose';
import type { AccountRepository } from '../../repositories/account.repository';
import { DuplicateKeyError } from '../../repositories/errors';
import type { ProductRecord, ProductRepository } from '../../repositories/product.repository';
import type { PurchaseRepository } from '../../repositories/reviews/purchases';
import type { RatingRepository } from '../../repositories/reviews/ratings';
import type { ReviewChanges, ReviewRecord, ReviewRepository } from '../../repositories/reviews/review.repository';
import type { ReviewVoteRepository } from '../../repositories/reviews/votes';
import { ConflictError, ForbiddenError, NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { withoutDeadline } from '../../utils/tracing';
import { fetchPage, type PageMeta } from '../listing/listing';
import { createModeration } from './moderation';
import { planProductReviews, planReviewList, REVIEW_SORT, type ProductReviewQuery, type ReviewListPlan, type ReviewListQuery } from './query';
import { createRatingKeeper, createRatingRepair } from './ratings';
import { isAuthor, isVisibleTo, toReviewView, type ReviewView, type ReviewViewer } from './view';
import { createHelpfulVotes } from './votes';

export interface ReviewInput {
  rating: number;
  title: string;
  body?: string;
}

export type ReviewPatch = Partial<ReviewInput>;

export interface ReviewList {
  data: ReviewView[];
  meta: PageMeta;
}

export interface ReviewServiceDeps {
  readonly reviews: ReviewRepository;
  readonly votes: ReviewVoteRepository;
  readonly ratings: RatingRepository;
  readonly purchases: PurchaseRepository;
  readonly products: Pick<ProductRepository, 'findById'>;
  readonly accounts: Pick<AccountRepository, 'findById'>;
  /** Drops cached product answers after their aggregates changed (ProductService.invalidate). */
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
  readonly cursorSecret: string;
  readonly now?: () => Date;
}

export type ReviewService = ReturnType<typeof createReviewService>;

export const reviewNotFound = () => new NotFoundError('Review not found', 'REVIEW_NOT_FOUND');
const productNotFound = () => new NotFoundError('Product not found', 'PRODUCT_NOT_FOUND');

const isLive = (product: ProductRecord) => product.status === 'active' && !product.deletedAt;

/** "Cleo Customer" → "Cleo C.": enough to tell reviewers apart, never the full name or email. */
export function authorNameOf(account: { firstName: string; lastName: string } | null): string {
  if (!account) return 'Customer';
  const initial = account.lastName.trim().charAt(0);
  return initial ? `${account.firstName} ${initial.toUpperCase()}.` : account.firstName;
}

export function createReviewService(deps: ReviewServiceDeps) {
  const { reviews, purchases, products, accounts, cursorSecret } = deps;
  const ratings = createRatingKeeper(deps);

  /** The review if this viewer may see it; otherwise the same 404 as for a missing one. */
  async function findVisible(id: string, viewer: ReviewViewer): Promise<ReviewRecord> {
    const review = isValidObjectId(id) ? await reviews.findById(id) : null;
    if (!review || !isVisibleTo(review, viewer)) throw reviewNotFound();
    return review;
  }

  /** Only the author acts on their review; for anyone else it does not exist. */
  async function findOwn(id: string, viewer: ReviewViewer): Promise<ReviewRecord> {
    const review = isValidObjectId(id) ? await reviews.findById(id) : null;
    if (!review || !isAuthor(review, viewer)) throw reviewNotFound();
    return review;
  }

  async function runList(plan: ReviewListPlan, viewer: ReviewViewer): Promise<ReviewList> {
    const { rows, meta } = await fetchPage(plan, REVIEW_SORT, cursorSecret, {
      fetch: (skip, limit) => reviews.findPage({ filter: plan.filter, sort: plan.sort, skip, limit }),
      count: () => reviews.count(plan.filter),
    });
    return { data: rows.map((r) => toReviewView(r, viewer)), meta };
  }

  /** REVIEW_EXISTS names the review already written, so the client can offer to edit it instead. */
  async function alreadyReviewed(err: unknown, productId: string, accountId: string): Promise<never> {
    if (!(err instanceof DuplicateKeyError)) throw err;
    const existing = await reviews.findByAuthor(productId, accountId);
    throw new ConflictError('You have already reviewed this product; edit your review instead', 'REVIEW_EXISTS', {
      cause: err,
      details: [{ path: 'productId', message: 'one review per account and product', type: 'unique', ...(existing && { reviewId: existing._id.toString() }) }],
    });
  }

  return {
    /** Public: published reviews of a visible product; staff may list hidden ones (`status`). */
    async listForProduct(productId: string, query: ProductReviewQuery, viewer: ReviewViewer): Promise<ReviewList> {
      const product = await products.findById(productId);
      if (!product || !(viewer.isStaff || isLive(product))) throw productNotFound();
      return runList(planProductReviews(productId, query, viewer, cursorSecret), viewer);
    },

    /** Staff (route): every review, filterable, for moderation. */
    async list(query: ReviewListQuery, viewer: ReviewViewer): Promise<ReviewList> {
      return runList(planReviewList(query, cursorSecret), viewer);
    },

    async get(id: string, viewer: ReviewViewer): Promise<ReviewView> {
      return toReviewView(await findVisible(id, viewer), viewer);
    },

    async create(productId: string, input: ReviewInput, viewer: Required<ReviewViewer>): Promise<ReviewView> {
      const product = await products.findById(productId);
      if (!product || !isLive(product)) throw productNotFound();
      if (!(await purchases.hasReceived(viewer.id, productId))) {
        throw new ForbiddenError('Only customers who received this product (a delivered order) may review it', 'NOT_VERIFIED_BUYER');
      }
      const authorName = authorNameOf(await accounts.findById(viewer.id));
      const review = await reviews
        .create({ product: productId, account: viewer.id, authorName, rating: input.rating, title: input.title, body: input.body ?? '' })
        .catch((err: unknown) => alreadyReviewed(err, productId, viewer.id));
      await ratings.reviewChanged(productId, review._id.toString(), null, review);
      return toReviewView(review, viewer);
    },

    /** The author's edit at the version they read (409 VERSION_CONFLICT otherwise). */
    async update(id: string, patch: ReviewPatch, expectedVersion: number, viewer: Required<ReviewViewer>): Promise<ReviewView> {
      const current = await findOwn(id, viewer);
      if (current.version !== expectedVersion) throw versionConflict(expectedVersion, current.version);
      const changes: ReviewChanges = { ...patch };
      // Guarded by the version just read, so `current` is exactly what this write replaces.
      const updated = await reviews.updateIfVersion(id, viewer.id, current.version, changes);
      if (!updated) {
        const now = await findOwn(id, viewer);
        throw versionConflict(expectedVersion, now.version);
      }
      await ratings.reviewChanged(updated.product.toString(), id, current, updated);
      return toReviewView(updated, viewer);
    },

    async remove(id: string, viewer: Required<ReviewViewer>): Promise<void> {
      if (!isValidObjectId(id)) throw reviewNotFound();
      const deleted = await reviews.deleteOwn(id, viewer.id);
      if (!deleted) throw reviewNotFound();
      await ratings.reviewChanged(deleted.product.toString(), id, deleted, null);
      // Votes of a deleted review count nowhere; one left behind is harmless, so a failure only logs.
      await withoutDeadline(() => deps.votes.removeForReview(id)).catch((err: Error) => {
        logger.warn('votes of a deleted review not removed (harmless)', { reviewId: id, error: err.message });
      });
    },

    ...createModeration({ reviews, ratings, findVisible, now: deps.now }),
    ...createHelpfulVotes({ reviews, votes: deps.votes, findVisible }),

    /** `npm run reviews:repair`: recount aggregates and helpful counts from the stored reviews and votes. */
    repair: createRatingRepair(deps),
  };
}

function versionConflict(expected: number, current: number): ConflictError {
  return new ConflictError('The review was changed since you read it; reload it and retry', 'VERSION_CONFLICT', {
    details: [{ path: 'version', message: `expected version ${expected}, current is ${current}`, currentVersion: current }],
  });
}

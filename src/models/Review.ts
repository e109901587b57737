// A product review by a verified buyer: one per account and product (unique index), rated 1–5.
// Hidden reviews stay stored (with the moderator's reason) but leave public lists and the
// product's rating aggregates. The aggregate arithmetic (a 1–5 histogram → count and average) is
// here so the repository's atomic update and the repair compute exactly the same numbers.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const REVIEW_STATUSES = ['published', 'hidden'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const MIN_RATING = 1;
export const MAX_RATING = 5;
export const REVIEW_TITLE_MAX = 120;
export const REVIEW_BODY_MAX = 5000;
export const MODERATION_REASON_MAX = 500;

/** Counts of 1★ … 5★ reviews, index 0 = 1★. */
export type RatingHistogram = readonly number[];

export function emptyHistogram(): number[] {
  return [0, 0, 0, 0, 0];
}

export function ratingCountOf(histogram: RatingHistogram): number {
  return histogram.reduce((sum, n) => sum + n, 0);
}

/**
 * Mean star rating rounded half-up to 2 places, 0 without reviews. The repository's pipeline
 * update computes floor(mean × 100 + 0.5) / 100 with the same IEEE operations, so both agree
 * to the bit (MongoDB's own $round rounds half to even and would not).
 */
export function ratingAverageOf(histogram: RatingHistogram): number {
  const count = ratingCountOf(histogram);
  if (count === 0) return 0;
  const sum = histogram.reduce((total, n, i) => total + n * (i + 1), 0);
  return Math.floor((sum / count) * 100 + 0.5) / 100;
}

const moderationSchema = new Schema(
  {
    reason: { type: String, required: true, maxlength: MODERATION_REASON_MAX },
    by: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

const reviewSchema = new Schema(
  {
    product: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    account: { type: Schema.Types.ObjectId, ref: 'Account', required: true },
    // "Cleo C.": a snapshot at creation, so the public list never reads accounts (or shows an email).
    authorName: { type: String, required: true, maxlength: 80 },
    rating: {
      type: Number,
      required: true,
      min: MIN_RATING,
      max: MAX_RATING,
      validate: { validator: Number.isInteger, message: 'rating must be a whole number of stars' },
    },
    title: { type: String, required: true, trim: true, maxlength: REVIEW_TITLE_MAX },
    body: { type: String, default: '', maxlength: REVIEW_BODY_MAX },
    // Kept equal to the review's votes (one per account, `reviewvotes`); `npm run reviews:repair` recounts it.
    helpfulCount: { type: Number, default: 0, min: 0 },
    status: { type: String, enum: REVIEW_STATUSES, default: 'published' },
    // Set while hidden: why, by whom, when.
    moderation: { type: moderationSchema, default: null },
    // Optimistic concurrency for edits (If-Match), bumped by every change of the review itself.
    version: { type: Number, required: true, default: 1, min: 1 },
  },
  { timestamps: true, versionKey: false },
);

// One review per account and product; a second is a DuplicateKeyError → 409 REVIEW_EXISTS.
reviewSchema.index({ product: 1, account: 1 }, { unique: true });
// The product's public list, one index per sort (newest, by rating, most helpful), status first.
reviewSchema.index({ product: 1, status: 1, createdAt: -1, _id: -1 });
reviewSchema.index({ product: 1, status: 1, rating: -1, _id: -1 });
reviewSchema.index({ product: 1, status: 1, helpfulCount: -1, _id: -1 });
// The staff moderation list (GET /reviews), newest first, optionally by status or author.
reviewSchema.index({ status: 1, createdAt: -1, _id: -1 });
reviewSchema.index({ account: 1, createdAt: -1, _id: -1 });

export type ReviewDoc = InferSchemaType<typeof reviewSchema>;
export type ReviewModel = Model<ReviewDoc>;

/** The Review model on `connection`, compiled once per connection. */
export function reviewModel(connection: Connection): ReviewModel {
  return (connection.models.Review as ReviewModel | undefined) ?? connection.model<ReviewDoc>('Review', reviewSchema);
}

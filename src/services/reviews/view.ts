// The API representation of a review, and of a product's star histogram. Who is asking decides
// what is shown: the author's account id and the moderation note only to the author and to staff.
import type { ReviewStatus } from '../../models/Review';
import type { ReviewRecord } from '../../repositories/reviews/review.repository';

export interface ReviewViewer {
  /** Absent for an anonymous caller. */
  readonly id?: string;
  readonly isStaff: boolean;
}

export interface ReviewView {
  id: string;
  productId: string;
  rating: number;
  title: string;
  body: string;
  authorName: string;
  helpfulCount: number;
  status: ReviewStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Only for the author and staff. */
  accountId?: string;
  /** Only on a hidden review, for the author and staff (`by` for staff only). */
  moderation?: { reason: string; at: string; by?: string };
}

/** `{ "1": n, …, "5": n }` — keyed by stars, so a client never guesses which end index 0 is. */
export type RatingHistogramView = Record<'1' | '2' | '3' | '4' | '5', number>;

export function toHistogramView(histogram: readonly number[] | undefined): RatingHistogramView {
  const h = histogram ?? [];
  return { '1': h[0] ?? 0, '2': h[1] ?? 0, '3': h[2] ?? 0, '4': h[3] ?? 0, '5': h[4] ?? 0 };
}

export function isAuthor(review: Pick<ReviewRecord, 'account'>, viewer: ReviewViewer): boolean {
  return viewer.id !== undefined && review.account.toString() === viewer.id;
}

/** Published reviews are public; a hidden one only to its author and staff. */
export function isVisibleTo(review: Pick<ReviewRecord, 'account' | 'status'>, viewer: ReviewViewer): boolean {
  return review.status === 'published' || viewer.isStaff || isAuthor(review, viewer);
}

export function toReviewView(review: ReviewRecord, viewer: ReviewViewer): ReviewView {
  const view: ReviewView = {
    id: review._id.toString(),
    productId: review.product.toString(),
    rating: review.rating,
    title: review.title,
    body: review.body ?? '',
    authorName: review.authorName,
    helpfulCount: review.helpfulCount ?? 0,
    status: review.status,
    version: review.version,
    createdAt: new Date(review.createdAt).toISOString(),
    updatedAt: new Date(review.updatedAt).toISOString(),
  };
  if (viewer.isStaff || isAuthor(review, viewer)) {
    view.accountId = review.account.toString();
    if (review.moderation) {
      view.moderation = { reason: review.moderation.reason, at: new Date(review.moderation.at).toISOString() };
      if (viewer.isStaff) view.moderation.by = review.moderation.by.toString();
    }
  }
  return view;
}

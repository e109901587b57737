// Staff moderation: hiding takes a review out of public lists and out of its product's aggregates
// (with a reason the author can read); unhiding puts it back. Both are single conditional moves,
// so of two racing moderators one changes the aggregates and the other sees the result.
import { Types } from 'mongoose';
import type { ReviewRecord, ReviewRepository } from '../../repositories/reviews/review.repository';
import type { RatingKeeper } from './ratings';
import { toReviewView, type ReviewView, type ReviewViewer } from './view';

export interface ModerationDeps {
  readonly reviews: Pick<ReviewRepository, 'setStatus' | 'findById'>;
  readonly ratings: RatingKeeper;
  readonly findVisible: (id: string, viewer: ReviewViewer) => Promise<ReviewRecord>;
  readonly now?: () => Date;
}

export function createModeration(deps: ModerationDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    /** Staff only (route). Hiding a hidden review changes nothing and answers it as it is. */
    async hide(id: string, reason: string, viewer: Required<ReviewViewer>): Promise<ReviewView> {
      await deps.findVisible(id, viewer);
      const hidden = await deps.reviews.setStatus(id, 'published', 'hidden', { reason, by: new Types.ObjectId(viewer.id), at: now() });
      if (hidden) {
        await deps.ratings.reviewChanged(hidden.product.toString(), id, { rating: hidden.rating, status: 'published' }, hidden);
        return toReviewView(hidden, viewer);
      }
      return toReviewView(await deps.findVisible(id, viewer), viewer);
    },

    /** Staff only (route). Unhiding a published review changes nothing. */
    async unhide(id: string, viewer: Required<ReviewViewer>): Promise<ReviewView> {
      await deps.findVisible(id, viewer);
      const shown = await deps.reviews.setStatus(id, 'hidden', 'published', null);
      if (shown) {
        await deps.ratings.reviewChanged(shown.product.toString(), id, { rating: shown.rating, status: 'hidden' }, shown);
        return toReviewView(shown, viewer);
      }
      return toReviewView(await deps.findVisible(id, viewer), viewer);
    },
  };
}

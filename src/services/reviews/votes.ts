// "Helpful" votes: one per account and review (the vote's unique index decides), never on one's
// own review. Voting twice, or withdrawing a vote never cast, changes nothing and answers the same.
import type { ReviewRecord, ReviewRepository } from '../../repositories/reviews/review.repository';
import type { ReviewVoteRepository } from '../../repositories/reviews/votes';
import { ForbiddenError } from '../../utils/errors';
import { isAuthor, toReviewView, type ReviewView, type ReviewViewer } from './view';

export interface HelpfulVoteDeps {
  readonly reviews: Pick<ReviewRepository, 'incrementHelpful'>;
  readonly votes: Pick<ReviewVoteRepository, 'add' | 'remove'>;
  readonly findVisible: (id: string, viewer: ReviewViewer) => Promise<ReviewRecord>;
}

export function createHelpfulVotes(deps: HelpfulVoteDeps) {
  return {
    async voteHelpful(id: string, viewer: Required<ReviewViewer>): Promise<ReviewView> {
      const review = await deps.findVisible(id, viewer);
      if (isAuthor(review, viewer)) throw new ForbiddenError('You cannot vote for your own review', 'OWN_REVIEW');
      if (!(await deps.votes.add(id, viewer.id))) return toReviewView(review, viewer);
      return toReviewView((await deps.reviews.incrementHelpful(id, 1)) ?? review, viewer);
    },

    async withdrawHelpful(id: string, viewer: Required<ReviewViewer>): Promise<void> {
      await deps.findVisible(id, viewer);
      if (await deps.votes.remove(id, viewer.id)) await deps.reviews.incrementHelpful(id, -1);
    },
  };
}

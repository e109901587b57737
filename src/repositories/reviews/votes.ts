// "Helpful" votes (the ReviewVote model): one per account and review, enforced by a unique index.
import { Types } from 'mongoose';
import type { ReviewVoteModel } from '../../models/ReviewVote';
import { isDuplicateKey } from '../errors';

export type ReviewVoteRepository = ReturnType<typeof createReviewVoteRepository>;

const oid = (id: string) => new Types.ObjectId(id);

export function createReviewVoteRepository(model: ReviewVoteModel) {
  return {
    /** True when this call recorded the vote; false when the account had already voted. */
    async add(reviewId: string, accountId: string): Promise<boolean> {
      try {
        await model.create({ review: oid(reviewId), account: oid(accountId) });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    /** True when this call removed a vote; false when there was none. */
    async remove(reviewId: string, accountId: string): Promise<boolean> {
      return (await model.deleteOne({ review: oid(reviewId), account: oid(accountId) })).deletedCount === 1;
    },

    /** A deleted review's votes go with it. */
    async removeForReview(reviewId: string): Promise<void> {
      await model.deleteMany({ review: oid(reviewId) });
    },

    /** Votes per review for `reviewIds` (ids without votes are absent). */
    async counts(reviewIds: readonly Types.ObjectId[]): Promise<Map<string, number>> {
      const rows = await model.aggregate<{ _id: Types.ObjectId; n: number }>([
        { $match: { review: { $in: [...reviewIds] } } },
        { $group: { _id: '$review', n: { $sum: 1 } } },
      ]);
      return new Map(rows.map((row) => [row._id.toHexString(), row.n]));
    },
  };
}

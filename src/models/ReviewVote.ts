// One "helpful" vote: an account found a review helpful. The unique index is what makes voting
// idempotent — a second vote by the same account is refused by the database, not by a read.
import './deadline.plugin';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const reviewVoteSchema = new Schema(
  {
    review: { type: Schema.Types.ObjectId, ref: 'Review', required: true },
    account: { type: Schema.Types.ObjectId, ref: 'Account', required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

reviewVoteSchema.index({ review: 1, account: 1 }, { unique: true });

export type ReviewVoteDoc = InferSchemaType<typeof reviewVoteSchema>;
export type ReviewVoteModel = Model<ReviewVoteDoc>;

export function reviewVoteModel(connection: Connection): ReviewVoteModel {
  return (connection.models.ReviewVote as ReviewVoteModel | undefined) ?? connection.model<ReviewVoteDoc>('ReviewVote', reviewVoteSchema);
}

// The only code that touches the Review model. Returns plain objects (lean); never throws HTTP errors.
// Every write that can change what the product's aggregates count returns the review as it was
// before (or as it is after) in the same atomic operation, so the caller's delta is exact.
import { Types, type PipelineStage } from 'mongoose';
import { emptyHistogram, type ReviewDoc, type ReviewModel, type ReviewStatus } from '../../models/Review';
import { rethrowDuplicateKey } from '../errors';
import type { MongoFilter, MongoSort } from '../query.types';
import { lean } from '../lean';

export interface ModerationRecord {
  reason: string;
  by: Types.ObjectId;
  at: Date;
}

export interface ReviewRecord {
  _id: Types.ObjectId;
  product: Types.ObjectId;
  account: Types.ObjectId;
  authorName: string;
  rating: number;
  title: string;
  body: string;
  helpfulCount: number;
  status: ReviewStatus;
  moderation: ModerationRecord | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewReview {
  product: string;
  account: string;
  authorName: string;
  rating: number;
  title: string;
  body?: string;
}

export type ReviewChanges = Partial<Pick<ReviewRecord, 'rating' | 'title' | 'body'>>;

export interface ReviewPageInput {
  readonly filter: MongoFilter;
  readonly sort: MongoSort;
  readonly skip: number;
  readonly limit: number;
}

export type ReviewRepository = ReturnType<typeof createReviewRepository>;

const oid = (id: string) => new Types.ObjectId(id);

export function createReviewRepository(model: ReviewModel) {
  return {
    async create(input: NewReview): Promise<ReviewRecord> {
      const doc = await model.create({ ...input, product: oid(input.product), account: oid(input.account) } as never as ReviewDoc).catch(rethrowDuplicateKey);
      return (doc as unknown as { toObject(): unknown }).toObject() as ReviewRecord;
    },

    findById(id: string): Promise<ReviewRecord | null> {
      return lean<ReviewRecord | null>(model.findById(id));
    },

    findByAuthor(productId: string, accountId: string): Promise<ReviewRecord | null> {
      return lean<ReviewRecord | null>(model.findOne({ product: oid(productId), account: oid(accountId) }));
    },

    findPage(input: ReviewPageInput): Promise<ReviewRecord[]> {
      return lean<ReviewRecord[]>(model.find(input.filter).sort(input.sort as never).skip(input.skip).limit(input.limit));
    },

    count(filter: MongoFilter): Promise<number> {
      return model.countDocuments(filter).exec();
    },

    /** The author's edit, only at the version they read; null when it is not theirs, gone or changed. */
    updateIfVersion(id: string, accountId: string, expectedVersion: number, changes: ReviewChanges): Promise<ReviewRecord | null> {
      const query = model.findOneAndUpdate(
        { _id: id, account: oid(accountId), version: expectedVersion },
        { $set: changes, $inc: { version: 1 } },
        { returnDocument: 'after', runValidators: true },
      );
      return lean<ReviewRecord | null>(query);
    },

    /** Deletes the author's review and hands back what was deleted (null: not theirs, or already gone). */
    deleteOwn(id: string, accountId: string): Promise<ReviewRecord | null> {
      return lean<ReviewRecord | null>(model.findOneAndDelete({ _id: id, account: oid(accountId) }));
    },

    /**
     * Moves the review from `from` to `to` (hide / unhide). Of two racing moderators exactly one
     * matches, so the aggregates change once. The rating is untouched, so the result carries the
     * rating that was counted (or is now counted).
     */
    setStatus(id: string, from: ReviewStatus, to: ReviewStatus, moderation: ModerationRecord | null): Promise<ReviewRecord | null> {
      const query = model.findOneAndUpdate({ _id: id, status: from }, { $set: { status: to, moderation }, $inc: { version: 1 } }, { returnDocument: 'after' });
      return lean<ReviewRecord | null>(query);
    },

    /** ±1 helpful vote; the vote's unique index decided that this call may count. */
    incrementHelpful(id: string, by: 1 | -1): Promise<ReviewRecord | null> {
      const filter = by < 0 ? { _id: id, helpfulCount: { $gt: 0 } } : { _id: id };
      return lean<ReviewRecord | null>(model.findOneAndUpdate(filter, { $inc: { helpfulCount: by } }, { returnDocument: 'after' }));
    },

    /** Published reviews per star for each of `productIds` (ids without reviews are absent). */
    async histograms(productIds: readonly Types.ObjectId[]): Promise<Map<string, number[]>> {
      const pipeline: PipelineStage[] = [
        { $match: { product: { $in: [...productIds] }, status: 'published' } },
        { $group: { _id: { product: '$product', rating: '$rating' }, n: { $sum: 1 } } },
      ];
      const rows = await model.aggregate<{ _id: { product: Types.ObjectId; rating: number }; n: number }>(pipeline);
      const out = new Map<string, number[]>();
      for (const row of rows) {
        const key = row._id.product.toHexString();
        const histogram = out.get(key) ?? emptyHistogram();
        histogram[row._id.rating - 1] = row.n;
        out.set(key, histogram);
      }
      return out;
    },

    /** Reviews after `afterId` in `_id` order with their stored helpful counts (for the repair). */
    helpfulBatch(afterId: Types.ObjectId | null, limit: number): Promise<{ _id: Types.ObjectId; helpfulCount: number }[]> {
      return lean(model.find(afterId ? { _id: { $gt: afterId } } : {}, { helpfulCount: 1 }).sort({ _id: 1 }).limit(limit));
    },

    /** Sets each count only if it is still what the repair read (one bulk write); returns how many were written. */
    async setHelpfulIf(updates: readonly { id: Types.ObjectId; stored: number; count: number }[]): Promise<number> {
      if (!updates.length) return 0;
      const result = await model.bulkWrite(
        updates.map((u) => ({ updateOne: { filter: { _id: u.id, helpfulCount: u.stored }, update: { $set: { helpfulCount: u.count } } } })),
        { ordered: false },
      );
      return result.modifiedCount;
    },

    /** `npm run seed` only: whether the demo author already wrote reviews. */
    async existsByAccount(accountId: string): Promise<boolean> {
      return (await model.exists({ account: oid(accountId) })) !== null;
    },
  };
}

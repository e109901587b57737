// Review lists: validated parameters + who asks → filter, sort and page plan. Pure; sort, cursors
// and pages come from the shared listing toolkit. The orderings a shop shows map onto the grammar:
// newest = createdAt:desc (default), highest = rating:desc, lowest = rating:asc,
// most helpful = helpful:desc.
import { Types } from 'mongoose';
import type { ReviewStatus } from '../../models/Review';
import { ForbiddenError } from '../../utils/errors';
import { planList, withClause, type ListPlan, type MongoFilter, type PageQuery, type SortSpec } from '../listing/listing';
import type { ReviewViewer } from './view';

export const REVIEW_SORT: SortSpec = {
  defaultSort: 'createdAt:desc',
  fields: {
    createdAt: { storage: 'createdAt', type: 'date' },
    rating: { storage: 'rating', type: 'number' },
    helpful: { storage: 'helpfulCount', type: 'number' },
  },
};

/** GET /products/:id/reviews */
export interface ProductReviewQuery extends PageQuery {
  readonly rating?: number;
  /** Staff only: `hidden` lists what moderators took down. */
  readonly status?: ReviewStatus;
}

/** GET /reviews (staff): every product's reviews, for moderation. */
export interface ReviewListQuery extends PageQuery {
  readonly rating?: number;
  readonly status?: ReviewStatus;
  readonly productId?: string;
  readonly accountId?: string;
}

export interface ReviewListPlan extends ListPlan {
  readonly filter: MongoFilter;
}

export function planProductReviews(productId: string, query: ProductReviewQuery, viewer: ReviewViewer, secret: string): ReviewListPlan {
  if (query.status !== undefined && !viewer.isStaff) throw new ForbiddenError('Only managers and admins may use: status');
  const filter: MongoFilter = { product: new Types.ObjectId(productId), status: query.status ?? 'published' };
  if (query.rating !== undefined) filter.rating = query.rating;
  const list = planList(query, REVIEW_SORT, secret);
  return { ...list, filter: withClause(filter, list.after) };
}

export function planReviewList(query: ReviewListQuery, secret: string): ReviewListPlan {
  const filter: MongoFilter = {};
  if (query.productId) filter.product = new Types.ObjectId(query.productId);
  if (query.accountId) filter.account = new Types.ObjectId(query.accountId);
  if (query.status) filter.status = query.status;
  if (query.rating !== undefined) filter.rating = query.rating;
  const list = planList(query, REVIEW_SORT, secret);
  return { ...list, filter: withClause(filter, list.after) };
}

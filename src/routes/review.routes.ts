// Review endpoints: a product's public reviews and the verified buyer's review of it, one review's
// reads and the author's edits, staff moderation, and helpful votes.
import Joi from 'joi';
import { createReviewController } from '../controllers/review.controller';
import { REVIEW_STATUSES } from '../models/Review';
import { noBody } from '../middlewares/validate';
import type { ReviewService } from '../services/reviews/review.service';
import { idParams } from './product.schemas';
import type { IdParams } from '../utils/typed-request';
import { route, type RouteDefinition } from './route-table';
import {
  createBody,
  hideBody,
  idempotencyHeaders,
  ifMatchHeaders,
  patchBody,
  productReviewsQuery,
  REVIEW_ORDERINGS,
  reviewIdParams,
  reviewListQuery,
} from './review.schemas';

// Every key is present unless marked optional (`presence: 'required'` is inherited by nested keys).
const review = Joi.object({
  id: Joi.string(),
  productId: Joi.string(),
  rating: Joi.number().integer().min(1).max(5),
  title: Joi.string(),
  body: Joi.string().allow(''),
  authorName: Joi.string().description('First name and initial, as at the time of writing'),
  helpfulCount: Joi.number().integer().min(0),
  status: Joi.string().valid(...REVIEW_STATUSES),
  version: Joi.number().integer(),
  createdAt: Joi.string().isoDate(),
  updatedAt: Joi.string().isoDate(),
  accountId: Joi.string().optional().description('Only for the author and staff'),
  moderation: Joi.object({ reason: Joi.string(), at: Joi.string().isoDate(), by: Joi.string().optional().description('Staff only') })
    .optional()
    .description('Only on a hidden review, for the author and staff'),
}).prefs({ presence: 'required' });

const reviews = Joi.array().items(review);
const notFound = { description: 'REVIEW_NOT_FOUND — also for a review that is not yours to change, or hidden from you', code: 'REVIEW_NOT_FOUND' };

const staff = ['manager', 'admin'] as const;

/** A staff moderation action on one review (POST, no headers); answers the review as it is now. */
function moderation<B>(
  action: Omit<RouteDefinition<IdParams, unknown, B, unknown>, 'method' | 'tags' | 'access' | 'validate' | 'responses'> & { readonly body: Joi.Schema<B>; readonly answer: string },
): RouteDefinition {
  const { body, answer, ...rest } = action;
  return route({ method: 'post', ...rest, tags: ['Reviews'], access: staff, validate: { params: reviewIdParams, body }, responses: { 200: { description: answer, schema: review }, 404: notFound } });
}

export function reviewRoutes(service: ReviewService): RouteDefinition[] {
  const controller = createReviewController(service);
  const tags = ['Reviews'];
  // Declaration order is also the Postman run order: the staff list captures a seeded review first.
  return [
    route({
      method: 'get',
      path: '/reviews',
      summary: 'All reviews, for moderation (filter by product, author, stars, status)',
      description: `Newest first by default. ${REVIEW_ORDERINGS}`,
      tags,
      access: staff,
      validate: { query: reviewListQuery },
      responses: { 200: { description: 'A page of reviews; `meta` carries offset totals or the next cursor', schema: reviews } },
      postman: { query: { status: 'published', limit: '5' }, captures: { reviewId: 'data.0.id' } },
      handler: controller.list,
    }),
    route({
      method: 'get',
      path: '/products/:id/reviews',
      summary: "A product's published reviews",
      description: `Public. ${REVIEW_ORDERINGS} The product's \`ratingAverage\`, \`ratingCount\` and \`ratingHistogram\` summarize the same reviews.`,
      tags,
      access: 'optional',
      validate: { params: idParams, query: productReviewsQuery },
      responses: {
        200: { description: 'A page of reviews; `meta` carries offset totals or the next cursor', schema: reviews },
        403: { description: '`status` from a non-staff caller' },
        404: { description: 'PRODUCT_NOT_FOUND (or not visible to you)', code: 'PRODUCT_NOT_FOUND' },
      },
      postman: { query: { sort: 'helpful:desc', limit: '10' } },
      handler: controller.listForProduct,
    }),
    route({
      method: 'post',
      path: '/products/:id/reviews',
      summary: 'Review a product you received (verified buyers only, one review per product)',
      description:
        'Only an account with a delivered order containing the product may review it. Title and body are plain text: markup is refused. Send `Idempotency-Key` to make retries safe: the same key and body replay the original response.',
      tags,
      access: 'authenticated',
      validate: { params: idParams, headers: idempotencyHeaders, body: createBody },
      idempotency: 'optional',
      responses: {
        201: { description: 'Created; `Location` and `ETag` set; the product\'s aggregates include it', schema: review },
        403: { description: 'NOT_VERIFIED_BUYER: no delivered order of yours contains this product', code: 'NOT_VERIFIED_BUYER' },
        404: { description: 'PRODUCT_NOT_FOUND', code: 'PRODUCT_NOT_FOUND' },
        409: {
          description: 'REVIEW_EXISTS: you reviewed this product already (`details[0].reviewId` names it); IDEMPOTENCY_IN_PROGRESS: the first request with this key still runs (see Retry-After)',
          code: 'REVIEW_EXISTS',
        },
        422: { description: 'IDEMPOTENCY_KEY_REUSED: the key was used with a different body', code: 'IDEMPOTENCY_KEY_REUSED' },
      },
      requestExample: { rating: 5, title: 'Bright and steady', body: 'Lights the whole desk without flicker; the base is heavy enough.' },
      // The run's customer cancelled their only order, so the rule refuses them: a deliberate negative check.
      postman: { headers: { 'Idempotency-Key': '{{$guid}}' }, expectStatus: 403, expectCode: 'NOT_VERIFIED_BUYER' },
      handler: controller.create,
    }),
    route({
      method: 'get',
      path: '/reviews/:id',
      summary: 'One review (a hidden one only for its author and staff)',
      tags,
      access: 'optional',
      validate: { params: reviewIdParams },
      responses: { 200: { description: 'The review (ETag carries its version)', schema: review }, 404: notFound },
      postman: { captures: { reviewEtag: 'header:ETag' } },
      handler: controller.get,
    }),
    route({
      method: 'patch',
      path: '/reviews/:id',
      summary: 'Edit your review (If-Match or version required)',
      tags,
      access: 'authenticated',
      validate: { params: reviewIdParams, headers: ifMatchHeaders, body: patchBody },
      responses: {
        200: { description: 'Updated; the product\'s aggregates follow a changed rating', schema: review },
        404: notFound,
        409: { description: 'VERSION_CONFLICT: changed since it was read', code: 'VERSION_CONFLICT' },
        428: { description: 'VERSION_REQUIRED: neither If-Match nor version sent' },
      },
      requestExample: { rating: 4, title: 'Bright, a little heavy' },
      // The run's customer edits the seeded review of someone else: refused as if it did not exist.
      postman: { headers: { 'If-Match': '{{reviewEtag}}' }, expectStatus: 404, expectCode: 'REVIEW_NOT_FOUND' },
      handler: controller.update,
    }),
    route({
      method: 'delete',
      path: '/reviews/:id',
      summary: 'Delete your review',
      tags,
      access: 'authenticated',
      validate: { params: reviewIdParams },
      responses: { 204: { description: 'Deleted; it leaves the product\'s aggregates' }, 404: notFound },
      postman: { expectStatus: 404, expectCode: 'REVIEW_NOT_FOUND' },
      handler: controller.remove,
    }),
    route({
      method: 'post',
      path: '/reviews/:id/helpful',
      summary: 'Mark a review helpful (once per account; not your own)',
      description: 'Idempotent: voting again changes nothing and answers the review as it is.',
      tags,
      access: 'authenticated',
      validate: { params: reviewIdParams, body: noBody },
      responses: {
        200: { description: 'The review with its helpful count', schema: review },
        403: { description: 'OWN_REVIEW: authors cannot vote for their own review', code: 'OWN_REVIEW' },
        404: notFound,
      },
      handler: controller.voteHelpful,
    }),
    route({
      method: 'delete',
      path: '/reviews/:id/helpful',
      summary: 'Withdraw your helpful vote (idempotent)',
      tags,
      access: 'authenticated',
      validate: { params: reviewIdParams },
      responses: { 204: { description: 'No vote of yours remains' }, 404: notFound },
      handler: controller.withdrawHelpful,
    }),
    moderation({
      path: '/reviews/:id/hide',
      summary: 'Hide a review with a reason (it leaves public lists and the aggregates)',
      description: 'Hiding a hidden review changes nothing. The author still sees it, with the reason.',
      body: hideBody,
      answer: 'Hidden',
      requestExample: { reason: 'Contains personal data' },
      handler: controller.hide,
    }),
    moderation({ path: '/reviews/:id/unhide', summary: 'Publish a hidden review again', body: noBody, answer: 'Published', handler: controller.unhide }),
  ];
}

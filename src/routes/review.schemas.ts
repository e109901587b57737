// Joi schemas for the review endpoints. Titles, bodies and moderation reasons are plain text with
// the same rule as product descriptions (src/utils/sanitize.ts): markup is refused, not stripped.
import Joi from 'joi';
import type { HideBody, ReviewPatchBody } from '../controllers/review.controller';
import { MAX_RATING, MIN_RATING, MODERATION_REASON_MAX, REVIEW_BODY_MAX, REVIEW_STATUSES, REVIEW_TITLE_MAX } from '../models/Review';
import { REVIEW_SORT, type ProductReviewQuery, type ReviewListQuery } from '../services/reviews/query';
import type { ReviewInput } from '../services/reviews/review.service';
import type { IdParams } from '../utils/typed-request';
import { plainText } from '../utils/sanitize';
import { LISTING_EXCLUSIONS, listingKeys } from './listing.schemas';

const objectId = (label: string) =>
  Joi.string().hex().length(24).lowercase().messages({ 'string.hex': `{{#label}} must be ${label}`, 'string.length': `{{#label}} must be ${label}` });

const stars = () => Joi.number().integer().min(MIN_RATING).max(MAX_RATING).messages({ 'number.integer': '{{#label}} must be a whole number of stars (1–5)' });

/** The orderings a shop offers, in the shared sort grammar. */
export const REVIEW_ORDERINGS = 'Orderings: newest `createdAt:desc` (default), highest `rating:desc`, lowest `rating:asc`, most helpful `helpful:desc`.';

export const reviewIdParams = Joi.object<IdParams>({ id: objectId('a review id').required() });

const reviewFields = {
  rating: stars(),
  title: plainText({ min: 1, max: REVIEW_TITLE_MAX }),
  body: plainText({ max: REVIEW_BODY_MAX }).allow(''),
};

export const createBody = Joi.object<ReviewInput>({
  ...reviewFields,
  rating: reviewFields.rating.required(),
  title: reviewFields.title.required(),
});

export const patchBody = Joi.object<ReviewPatchBody>({ ...reviewFields, version: Joi.number().integer().min(1) })
  .or('rating', 'title', 'body')
  .messages({ 'object.missing': 'send at least one of rating, title, body' });

export const hideBody = Joi.object<HideBody>({ reason: plainText({ min: 1, max: MODERATION_REASON_MAX }).required() });

export const productReviewsQuery = Joi.object<ProductReviewQuery>({
  rating: stars().description('Only reviews with this many stars'),
  status: Joi.string().valid(...REVIEW_STATUSES).description('Staff only (default `published`): `hidden` lists moderated reviews'),
  ...listingKeys(REVIEW_SORT),
})
  .meta(LISTING_EXCLUSIONS);

export const reviewListQuery = Joi.object<ReviewListQuery>({
  productId: objectId('a product id'),
  accountId: objectId('an account id'),
  rating: stars(),
  status: Joi.string().valid(...REVIEW_STATUSES),
  ...listingKeys(REVIEW_SORT),
}).meta(LISTING_EXCLUSIONS);

export { idempotencyHeaders, ifMatchHeaders } from './headers.schemas';

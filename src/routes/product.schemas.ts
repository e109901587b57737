// Joi schemas for the product endpoints: what each parameter accepts and its bounds.
import Joi from 'joi';
import { list } from '../middlewares/validate';
import { CURRENCIES, MAX_TAGS, PRODUCT_STATUSES } from '../models/Product';
import { MAX_LIMIT, MAX_PAGE, PROJECTABLE_FIELDS, SORT_FIELDS } from '../services/query-engine';
import { plainText } from '../utils/sanitize';

const MAX_PRICE = 1_000_000;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TAG = /^[a-z0-9][a-z0-9 &._-]{0,39}$/;

/** A decimal amount with at most two places, as the API speaks it; stored as minor units. */
export const money = () =>
  Joi.number()
    .min(0)
    .max(MAX_PRICE)
    .custom((value: number, helpers) => (Math.abs(value * 100 - Math.round(value * 100)) < 1e-6 ? value : helpers.error('money.precision')))
    .messages({ 'money.precision': '{{#label}} must have at most 2 decimal places' })
    .meta({ openapi: { multipleOf: 0.01 } });

const tag = () => Joi.string().trim().lowercase().pattern(TAG).messages({ 'string.pattern.base': '{{#label}} must be 1–40 of a-z, 0-9, space, &._-' });
const bool = () => Joi.boolean().truthy('1').falsy('0');

const filterKeys = {
  search: Joi.string().trim().min(1).max(100),
  searchMode: Joi.string().valid('all', 'any', 'text'),
  minPrice: money(),
  // Cross-field bounds apply only when the other bound is present (a ref to a missing key is an error).
  maxPrice: Joi.when('minPrice', {
    is: Joi.exist(),
    then: money().min(Joi.ref('minPrice')).messages({ 'number.min': 'maxPrice must be greater than or equal to minPrice' }),
    otherwise: money(),
  }).description('At least minPrice when both are sent'),
  tags: list(tag(), { max: MAX_TAGS }),
  tagsMode: Joi.string().valid('any', 'all'),
  category: Joi.string().trim().lowercase().pattern(SLUG).max(60),
  inStock: bool(),
  minRating: Joi.number().min(0).max(5),
  createdFrom: Joi.date().iso(),
  createdTo: Joi.when('createdFrom', {
    is: Joi.exist(),
    then: Joi.date().iso().min(Joi.ref('createdFrom')).messages({ 'date.min': 'createdTo must not be before createdFrom' }),
    otherwise: Joi.date().iso(),
  }).description('Not before createdFrom when both are sent'),
  status: Joi.string().valid(...PRODUCT_STATUSES),
  includeDeleted: bool(),
  onlyDeleted: bool(),
};

/**
 * One sort term as the document states it (`price:desc`); the engine also takes a comma-separated
 * list of distinct terms, and `relevance` with `searchMode=text` — see QUERY-ENGINE-DOC.md.
 */
const SORT_TERM = `(${SORT_FIELDS.filter((field) => field !== 'relevance').join('|')})(:(asc|desc))?`;

/** Offset or signed-cursor paging keys shared by the product and order lists. */
export const pageKeys = (maxCursor: number) => ({
  pagination: Joi.string().valid('offset', 'cursor'),
  cursor: Joi.string()
    .max(maxCursor)
    .pattern(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    .messages({ 'string.pattern.base': 'cursor is malformed' })
    .description('Opaque: `meta.nextCursor` of the previous page, with the same sort. Not with `page`.')
    .meta({ opaque: true }),
});

/** Rejected together by the query engine (cursor pages have no page number); documented as x-exclusive-parameters. */
export const PAGE_EXCLUSIONS = { exclusiveParameters: [['page', 'cursor'], ['page', 'pagination']] };

export const listQuery = Joi.object({
  ...filterKeys,
  sort: Joi.string()
    .max(200)
    .description('`field[:asc|desc]` (price, createdAt, ratingAverage, name), or several comma-separated; `relevance` with searchMode=text')
    .meta({ openapi: { pattern: `^${SORT_TERM}$` } }),
  fields: list(Joi.string().valid(...PROJECTABLE_FIELDS), { max: PROJECTABLE_FIELDS.length }),
  page: Joi.number().integer().min(1).max(MAX_PAGE),
  limit: Joi.number().integer().min(1).max(MAX_LIMIT),
  ...pageKeys(2000),
}).meta(PAGE_EXCLUSIONS);

export const facetsQuery = Joi.object({
  ...filterKeys,
  tagLimit: Joi.number().integer().min(1).max(50),
});

export const idOrSlugParams = Joi.object({
  id: Joi.alternatives(Joi.string().hex().length(24).lowercase(), Joi.string().max(120).pattern(SLUG))
    .required()
    .messages({ 'alternatives.match': 'id must be a product id or slug' }),
});

export const idParams = Joi.object({
  id: Joi.string().hex().length(24).lowercase().required().messages({ 'string.hex': 'id must be a product id', 'string.length': 'id must be a product id' }),
});

/**
 * Names and descriptions are plain text (src/utils/sanitize.ts): markup is rejected rather than
 * stripped, because stripping entity-encodes the rest ("Fish & Chips" → "Fish &amp; Chips").
 * Text like "5 < 6" or "&lt;b&gt;" stays as sent, and is inert in any renderer that escapes text.
 */
const productFields = {
  name: plainText({ min: 1, max: 200 }),
  slug: Joi.string().trim().lowercase().max(120).pattern(SLUG),
  sku: Joi.string().trim().uppercase().pattern(/^[A-Z0-9][A-Z0-9-]{1,39}$/),
  description: plainText({ max: 5000 }).allow(''),
  price: money(),
  currency: Joi.string().uppercase().valid(...CURRENCIES),
  category: Joi.string().trim().lowercase().pattern(SLUG).max(60),
  tags: Joi.array().items(tag()).max(MAX_TAGS),
  stock: Joi.number().integer().min(0).max(1_000_000_000),
  status: Joi.string().valid(...PRODUCT_STATUSES),
};

export const createBody = Joi.object({
  ...productFields,
  name: productFields.name.required(),
  sku: productFields.sku.required(),
  price: productFields.price.required(),
  category: productFields.category.required(),
});

export const patchBody = Joi.object({
  ...productFields,
  regenerateSlug: Joi.boolean(),
  version: Joi.number().integer().min(1),
})
  .or(...Object.keys(productFields), 'regenerateSlug')
  .messages({ 'object.missing': 'send at least one field to change' });

/**
 * Optimistic concurrency: the ETag of the version read. Documented as required because without it
 * (or the older `version` body field) the answer is 428; validation itself accepts either.
 */
export const ifMatchHeaders = Joi.object({
  'if-match': Joi.string()
    .max(200)
    .description('ETag of the version you read, `"<id>-v<version>"` (or send `version` in the body instead); neither → 428')
    .meta({ documentedRequired: true, openapi: { pattern: '^"[0-9a-f]{24}-v[0-9]+"$' } }),
});


// Joi schemas for the product endpoints: what each parameter accepts and its bounds.
import Joi from 'joi';
import type { ProductBody, ProductPatchBody, VariantBody, VariantParams, VariantPatchBody, VersionBody } from '../controllers/product.controller';
import { list } from '../middlewares/validate';
import { CURRENCIES, MAX_TAGS, PRODUCT_STATUSES } from '../models/Product';
import { MAX_OPTIONS, OPTION_NAME, OPTION_VALUE } from '../models/ProductVariant';
import type { FacetsQuery } from '../services/products/product.service';
import { PRODUCT_SORT, PROJECTABLE_FIELDS, type ProductListQuery } from '../services/query-engine';
import type { IdParams } from '../utils/typed-request';
import { LISTING_EXCLUSIONS, listingKeys } from './listing.schemas';
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
const OPTION_FILTER = new RegExp(`^${OPTION_NAME.source.slice(1, -1)}:${OPTION_VALUE.source.slice(1, -1)}$`);
const MAX_OPTION_FILTERS = 10;
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
  options: list(
    Joi.string().trim().pattern(OPTION_FILTER).messages({ 'string.pattern.base': '{{#label}} must be name:value (e.g. size:M)' }),
    { max: MAX_OPTION_FILTERS },
  ),
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

export const listQuery = Joi.object<ProductListQuery>({
  ...filterKeys,
  ...listingKeys(PRODUCT_SORT),
  fields: list(Joi.string().valid(...PROJECTABLE_FIELDS), { max: PROJECTABLE_FIELDS.length }),
}).meta(LISTING_EXCLUSIONS);

export const facetsQuery = Joi.object<FacetsQuery>({
  ...filterKeys,
  tagLimit: Joi.number().integer().min(1).max(50),
});

export const idOrSlugParams = Joi.object<IdParams>({
  id: Joi.alternatives(Joi.string().hex().length(24).lowercase(), Joi.string().max(120).pattern(SLUG))
    .required()
    .messages({ 'alternatives.match': 'id must be a product id or slug' }),
});

export const idParams = Joi.object<IdParams>({
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

export const createBody = Joi.object<ProductBody>({
  ...productFields,
  name: productFields.name.required(),
  sku: productFields.sku.required(),
  price: productFields.price.required(),
  category: productFields.category.required(),
});

export const patchBody = Joi.object<ProductPatchBody>({
  ...productFields,
  regenerateSlug: Joi.boolean(),
  version: Joi.number().integer().min(1),
})
  .or(...Object.keys(productFields), 'regenerateSlug')
  .messages({ 'object.missing': 'send at least one field to change' });

export const variantParams = Joi.object<VariantParams>({
  id: idParams.extract('id'),
  variantId: Joi.string().hex().length(24).lowercase().required().messages({ 'string.hex': 'variantId must be a variant id', 'string.length': 'variantId must be a variant id' }),
});

/** `{ size: 'M', colour: 'red' }`: option names are words (they are data, never storage keys). */
const optionValues = Joi.object()
  .pattern(Joi.string().pattern(OPTION_NAME), Joi.string().trim().pattern(OPTION_VALUE).messages({ 'string.pattern.base': '{{#label}} must be 1–40 of letters, digits, space and ./+#-' }))
  .max(MAX_OPTIONS)
  .messages({ 'object.unknown': '{{#label}} is not an option name (a-z, 0-9, _ or -, starting with a letter)' });

const variantFields = {
  sku: productFields.sku,
  optionValues,
  price: money().allow(null).description('null: the product\'s price'),
  stock: productFields.stock,
  active: Joi.boolean(),
};

export const variantCreateBody = Joi.object<VariantBody>({ ...variantFields, sku: variantFields.sku.required(), version: Joi.number().integer().min(1) });

export const variantPatchBody = Joi.object<VariantPatchBody>({ ...variantFields, version: Joi.number().integer().min(1) })
  .or(...Object.keys(variantFields))
  .messages({ 'object.missing': 'send at least one field to change' });

export const variantDeleteBody = Joi.object<VersionBody>({ version: Joi.number().integer().min(1) });

export { ifMatchHeaders } from './headers.schemas';

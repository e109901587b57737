// Product endpoints. `/products/facets` is declared before `/products/:id` so it is not read as a slug.
// Variant endpoints come last: the Postman story runs paths in first-declaration order, so they
// act on the story's product after its delete/restore round trip.
import Joi from 'joi';
import { createProductController } from '../controllers/product.controller';
import { noBody } from '../middlewares/validate';
import type { ProductService } from '../services/products/product.service';
import type { IfMatchHeaders } from '../utils/typed-request';
import { route, type RouteDefinition } from './route-table';
import {
  createBody,
  facetsQuery,
  idOrSlugParams,
  idParams,
  ifMatchHeaders,
  listQuery,
  patchBody,
  variantCreateBody,
  variantDeleteBody,
  variantParams,
  variantPatchBody,
} from './product.schemas';
import { productImage } from './media.schemas';

// Every key is present unless marked optional (`presence: 'required'` is inherited by nested keys).
const product = Joi.object({
  id: Joi.string(),
  name: Joi.string(),
  slug: Joi.string(),
  sku: Joi.string(),
  description: Joi.string().allow('').optional(),
  price: Joi.number().description('Decimal amount in `currency` (stored as integer minor units)'),
  currency: Joi.string(),
  category: Joi.string().description("The category's slug; `?category=` on the list also matches its descendants"),
  tags: Joi.array().items(Joi.string()),
  stock: Joi.number().integer().description('Sum over active variants'),
  images: Joi.array().items(productImage).description('In display order (empty without images)'),
  priceRange: Joi.object({ min: Joi.number(), max: Joi.number() }).description('Over active variants; price filters and sorts use it'),
  options: Joi.array().items(Joi.object({ name: Joi.string(), values: Joi.array().items(Joi.string()) })),
  variants: Joi.array().items(
    Joi.object({
      id: Joi.string(),
      sku: Joi.string(),
      optionValues: Joi.object().pattern(Joi.string(), Joi.string()),
      price: Joi.number(),
      inheritsPrice: Joi.boolean(),
      stock: Joi.number().integer(),
      active: Joi.boolean(),
    }),
  ),
  ratingAverage: Joi.number(),
  ratingCount: Joi.number().integer(),
  ratingHistogram: Joi.object({ 1: Joi.number().integer(), 2: Joi.number().integer(), 3: Joi.number().integer(), 4: Joi.number().integer(), 5: Joi.number().integer() })
    .description('Published reviews per star (keys are stars); count and average are computed from it'),
  ratingStars: Joi.number(),
  status: Joi.string().valid('active', 'draft'),
  version: Joi.number().integer(),
  createdAt: Joi.string().isoDate(),
  updatedAt: Joi.string().isoDate(),
  deletedAt: Joi.string().isoDate().optional().description('Only on a soft-deleted product (staff only)'),
  deletedBy: Joi.string().optional(),
}).prefs({ presence: 'required' });

/** In a list, `fields=` may project the product down to some keys; `id` is always there. */
const listedProduct = product.fork(
  Object.keys(product.describe().keys as object).filter((key) => key !== 'id'),
  (key) => key.optional(),
);

const variantNotFound = { description: 'PRODUCT_NOT_FOUND, VARIANT_NOT_FOUND' };

/** Staff may write the catalog. */
const staff = ['manager', 'admin'] as const;

/**
 * A staff edit of one product, guarded by the version the client read (If-Match, or `version` in
 * the body). The declaration adds the If-Match header, its 428 and the Postman ETag round trip (send
 * the ETag captured last; by default capture the new one), so each edit states only what is its own.
 */
function versionedEdit<P, B>(
  edit: Omit<RouteDefinition<P, unknown, B, IfMatchHeaders>, 'tags' | 'access' | 'validate'> & {
    readonly validate: { readonly params: Joi.ObjectSchema<P>; readonly body: Joi.Schema<B> };
  },
): RouteDefinition {
  const { validate, responses, postman, ...rest } = edit;
  return route({
    ...rest,
    tags: ['Products'],
    access: staff,
    validate: { params: validate.params, headers: ifMatchHeaders, body: validate.body },
    responses: { 428: { description: 'VERSION_REQUIRED: neither If-Match nor version sent' }, ...responses },
    postman: { headers: { 'If-Match': '{{productEtag}}' }, ...(postman ?? { captures: { productEtag: 'header:ETag' } }) },
  });
}

export function productRoutes(products: ProductService): RouteDefinition[] {
  const controller = createProductController(products);
  const tags = ['Products'];
  return [
    route({
      method: 'get',
      path: '/products',
      summary: 'Search, filter, sort and paginate the catalog',
      description: 'The query language is documented in QUERY-ENGINE-DOC.md. Managers and admins also see drafts and, on request, deleted products.',
      tags,
      access: 'optional',
      validate: { query: listQuery },
      postman: { query: { category: 'phones', inStock: 'true', sort: 'price:desc', limit: '5' } },
      responses: {
        200: { description: 'A page of products; `meta` carries offset totals or the next cursor', schema: Joi.array().items(listedProduct) },
        304: { description: 'Not modified (If-None-Match)' },
        400: { description: 'Invalid, unknown or repeated parameter; tampered cursor' },
        403: { description: 'includeDeleted, onlyDeleted or status from a non-staff caller' },
      },
      handler: controller.list,
    }),
    route({
      method: 'get',
      path: '/products/facets',
      summary: 'Counts per category (descendants included), top tags and price buckets for the same filters as the list',
      tags,
      access: 'optional',
      validate: { query: facetsQuery },
      postman: { query: { category: 'phones' } },
      responses: {
        200: {
          description: 'Facet counts',
          schema: Joi.object({
            total: Joi.number().integer(),
            categories: Joi.array().items(Joi.object({ value: Joi.string(), count: Joi.number().integer() })),
            tags: Joi.array().items(Joi.object({ value: Joi.string(), count: Joi.number().integer() })),
            priceBuckets: Joi.array().items(Joi.object({ min: Joi.number(), max: Joi.number().allow(null), count: Joi.number().integer() })),
          }).prefs({ presence: 'required' }),
        },
        403: { description: 'includeDeleted, onlyDeleted or status from a non-staff caller' },
      },
      handler: controller.facets,
    }),
    route({
      method: 'get',
      path: '/products/:id',
      summary: 'One product by id or slug',
      tags,
      access: 'optional',
      validate: { params: idOrSlugParams },
      responses: {
        200: { description: 'The product (ETag carries its version); staff also read a soft-deleted one (with `deletedAt`)', schema: product },
        304: { description: 'Not modified' },
        404: { description: 'No such visible product (a soft-deleted one, for non-staff)' },
      },
      postman: { captures: { productEtag: 'header:ETag' } },
      handler: controller.get,
    }),
    route({
      method: 'post',
      path: '/products',
      summary: 'Create a product',
      tags,
      access: staff,
      validate: { body: createBody },
      responses: {
        201: { description: 'Created', schema: product },
        409: { description: 'Duplicate sku or slug' },
        422: { description: 'UNKNOWN_CATEGORY: no category has the `category` slug (GET /categories lists them)', code: 'UNKNOWN_CATEGORY' },
      },
      requestExample: {
        name: 'Aurora Desk Lamp',
        sku: 'LAMP-AURORA-01',
        description: 'Dimmable LED desk lamp with a weighted base.',
        price: 49.9,
        currency: 'USD',
        // A category of the seeded demo tree (GET /categories).
        category: 'accessories',
        tags: ['desk', 'led'],
        stock: 25,
        status: 'active',
      },
      // A unique sku per run; the slug follows the name and gets a free "-2" variant by itself.
      postman: { body: { sku: 'E2E-{{$timestamp}}' }, captures: { productId: 'data.id', productEtag: 'header:ETag', variantId: 'data.variants.0.id' } },
      handler: controller.create,
    }),
    versionedEdit({
      method: 'patch',
      path: '/products/:id',
      summary: 'Change a product (optimistic concurrency: If-Match or version)',
      validate: { params: idParams, body: patchBody },
      responses: {
        200: { description: 'Updated', schema: product },
        409: { description: 'VERSION_CONFLICT: changed since it was read; PRODUCT_DELETED' },
        422: { description: 'UNKNOWN_CATEGORY: no category has the `category` slug', code: 'UNKNOWN_CATEGORY' },
      },
      requestExample: { price: 44.9, stock: 40 },
      handler: controller.update,
    }),
    route({
      method: 'delete',
      path: '/products/:id',
      summary: 'Soft-delete a product (idempotent)',
      tags,
      access: staff,
      validate: { params: idParams },
      responses: { 204: { description: 'Deleted (or already deleted)' }, 404: { description: 'No such product' } },
      handler: controller.remove,
    }),
    route({
      method: 'post',
      path: '/products/:id/restore',
      summary: 'Restore a soft-deleted product',
      tags,
      access: ['admin'],
      validate: { params: idParams, body: noBody },
      responses: { 200: { description: 'Restored (or was not deleted)', schema: product } },
      postman: { captures: { productEtag: 'header:ETag' } },
      handler: controller.restore,
    }),
    versionedEdit({
      method: 'patch',
      path: '/products/:id/variants/:variantId',
      summary: 'Change a variant (optimistic concurrency on the product: If-Match or version)',
      validate: { params: variantParams, body: variantPatchBody },
      responses: {
        200: { description: 'The product after the change', schema: product },
        404: variantNotFound,
        409: { description: 'DUPLICATE_KEY, VARIANT_OPTIONS_MISMATCH, DUPLICATE_VARIANT_OPTIONS, VERSION_CONFLICT' },
      },
      // The story gives the new product's default variant an option first, so a second variant can follow.
      requestExample: { optionValues: { finish: 'matte' }, stock: 12, price: null, active: true },
      handler: controller.updateVariant,
    }),
    versionedEdit({
      method: 'post',
      path: '/products/:id/variants',
      summary: 'Add a variant (own SKU, option values, price, stock; optimistic concurrency: If-Match or version)',
      description: 'Every variant names the same options; an option-less default variant must get option values (PATCH) before a second variant is added. Returns the product.',
      validate: { params: idParams, body: variantCreateBody },
      responses: {
        201: { description: 'The product with its new variant (Location names the variant)', schema: product },
        409: { description: 'DUPLICATE_KEY (sku), VARIANT_OPTIONS_MISMATCH, VARIANT_OPTIONS_REQUIRED, DUPLICATE_VARIANT_OPTIONS, TOO_MANY_VARIANTS, VERSION_CONFLICT' },
      },
      requestExample: { sku: 'LAMP-AURORA-01-BRASS', optionValues: { finish: 'brass' }, price: 59.9, stock: 10 },
      postman: { body: { sku: 'E2E-{{$timestamp}}-V' }, captures: { productEtag: 'header:ETag' } },
      handler: controller.addVariant,
    }),
    versionedEdit({
      method: 'delete',
      path: '/products/:id/variants/:variantId',
      summary: 'Remove a variant (not the last one; optimistic concurrency: If-Match or version)',
      validate: { params: variantParams, body: variantDeleteBody },
      responses: {
        200: { description: 'The product without the variant', schema: product },
        404: variantNotFound,
        409: { description: 'LAST_VARIANT, VERSION_CONFLICT' },
      },
      // The story's product has one variant at this point: a deliberate negative check of the rule.
      postman: { expectStatus: 409, expectCode: 'LAST_VARIANT' },
      handler: controller.removeVariant,
    }),
  ];
}

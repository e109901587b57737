// Catalog rules: who sees what, slugs, optimistic concurrency, soft delete, and cache invalidation
// after every write. The query engine plans lists; the repository runs them.
import { isValidObjectId } from 'mongoose';
import { normalizeTags, slugify } from '../../models/Product';
import type { ClientSession } from 'mongoose';
import type { NewProduct, ProductChanges, ProductRecord, ProductRepository } from '../../repositories/product.repository';
import type { CategoryPlacement } from '../../repositories/product-category.repository';
import { DuplicateKeyError } from '../../repositories/errors';
import { ConflictError, NotFoundError, ValidationError } from '../../utils/errors';
import type { MediaUrl } from '../media/view';
import { addVariant, changeVariant, currentVariants, removeVariant, withVariants, type VariantInput, type VariantPatch } from './variants';
import type { ProductCache } from './cache';
import type { StockWriter } from '../stock/stock.service';
import { fetchPage, type PageMeta } from '../listing/listing';
import { createTotalsCache, type TotalsCache } from '../listing/totals';
import { isVisibleTo, toPartialView, toProductView, type ProductView } from './view';
import {
  assertQueryAllowed,
  buildFilter,
  fromMinorUnits,
  planQuery,
  PRODUCT_SORT,
  toMinorUnits,
  type ProductFilterQuery,
  type ProductListQuery,
  type QueryPlan,
  type Viewer,
} from '../query-engine';

export interface ProductInput {
  name: string;
  sku: string;
  price: number;
  category: string;
  slug?: string;
  description?: string;
  currency?: string;
  tags?: string[];
  stock?: number;
  status?: 'active' | 'draft';
}

export type ProductPatch = Partial<ProductInput> & { regenerateSlug?: boolean };

export interface ProductList {
  data: Partial<ProductView>[];
  meta: PageMeta;
}

/** The facet counts' input: the list's filters and how many top tags to return. */
export type FacetsQuery = ProductFilterQuery & { readonly tagLimit?: number };

export interface FacetsResult {
  total: number;
  categories: { value: string; count: number }[];
  tags: { value: string; count: number }[];
  priceBuckets: { min: number; max: number | null; count: number }[];
}

/**
 * Runs a product write filed under the category `slug` (services/categories: 422 when there is no
 * such category), handing it the category's placement and the transaction that holds the category.
 */
export type AssignCategory = <T>(slug: string, write: (placement: CategoryPlacement, session: ClientSession | null) => Promise<T>) => Promise<T>;

export interface ProductServiceDeps {
  readonly repository: ProductRepository;
  readonly assignCategory: AssignCategory;
  /** Version-guarded writes go through the stock-write path, which detects stock alert crossings. */
  readonly stock: Pick<StockWriter, 'writeProduct'>;
  readonly cache: ProductCache;
  /** Offset totals per filter (default: none kept, every page counts). */
  readonly totals?: TotalsCache;
  /** Object name → public link, for the images in product views. */
  readonly mediaUrl: MediaUrl;
  /** Key for the cursor HMAC. */
  readonly cursorSecret: string;
  /** Price bucket lower bounds in major units, ascending, starting at 0. */
  readonly priceBuckets?: readonly number[];
}

export type ProductService = ReturnType<typeof createProductService>;

const DEFAULT_BUCKETS = [0, 25, 50, 100, 250, 500, 1000, 2500];
const MAX_SLUG_ATTEMPTS = 20;

function notFound(): NotFoundError {
  return new NotFoundError('Product not found', 'PRODUCT_NOT_FOUND');
}

/** sku and slug are unique: a clash (or a racing duplicate) is a 409 naming the field, never the index. */
function duplicateProduct(err: unknown): never {
  if (!(err instanceof DuplicateKeyError)) throw err;
  // A variant SKU clash is a SKU clash to the client: SKUs are unique across the catalog.
  const fields = [...new Set(err.fields.map((f) => (f === 'variants.sku' ? 'sku' : f)))];
  throw new ConflictError(`A product with this ${fields.join(', ')} already exists`, 'DUPLICATE_KEY', {
    cause: err,
    details: fields.map((field) => ({ path: field, message: `${field} must be unique`, type: 'unique' })),
  });
}

function versionConflict(expected: number, current: number): ConflictError {
  return new ConflictError('The product was changed by someone else; reload it and retry', 'VERSION_CONFLICT', {
    details: [{ path: 'version', message: `expected version ${expected}, current is ${current}`, currentVersion: current }],
  });
}

/**
 * Product-level price, stock and sku edits as variant edits: the base price re-derives the price
 * range; stock and sku go to the default variant of a single-variant product (a product with
 * several variants has no single stock to set).
 */
function withVariantFields(current: ProductRecord, changes: ProductChanges): ProductChanges {
  const variants = currentVariants(current);
  if (changes.stock !== undefined && variants.length > 1) {
    throw new ValidationError('This product has several variants; set stock per variant', [
      { location: 'body', path: 'stock', message: `set stock on each of the ${variants.length} variants (PATCH /products/:id/variants/:variantId)`, type: 'stock.perVariant' },
    ], 'STOCK_PER_VARIANT');
  }
  if (changes.stock === undefined && changes.priceMinor === undefined && changes.sku === undefined && current.variants?.length) return changes;
  const next = variants.map((v) =>
    variants.length === 1 ? { ...v, stock: changes.stock ?? v.stock, sku: v.sku === current.sku && changes.sku ? changes.sku : v.sku } : v,
  );
  return { ...changes, ...withVariants(next, changes.priceMinor ?? current.priceMinor) };
}

function toChanges(input: Partial<ProductInput>): ProductChanges {
  const { price, tags, ...rest } = input;
  return {
    ...rest,
    ...(price !== undefined && { priceMinor: toMinorUnits(price) }),
    ...(tags !== undefined && { tags: normalizeTags(tags) }),
  };
}

export function createProductService(deps: ProductServiceDeps) {
  const { repository, stock, cache, cursorSecret, mediaUrl, assignCategory } = deps;
  const buckets = deps.priceBuckets ?? DEFAULT_BUCKETS;
  const totals = deps.totals ?? createTotalsCache({ ttlMs: 0 });

  /** The name's slug, or the first free "-2", "-3", … variant (a racing duplicate still gets 409). */
  async function freeSlug(name: string): Promise<string> {
    const base = slugify(name);
    for (let n = 1; n <= MAX_SLUG_ATTEMPTS; n += 1) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      if (!(await repository.slugExists(candidate))) return candidate;
    }
    return `${base}-${Date.now().toString(36)}`;
  }

  async function runList(plan: QueryPlan): Promise<ProductList> {
    const render = (r: ProductRecord) => (plan.fields ? toPartialView(r, plan.fields) : toProductView(r, mediaUrl));
    const { rows, meta } = await fetchPage({ terms: plan.sortTerms, sort: plan.sort, page: plan.page, after: null }, PRODUCT_SORT, cursorSecret, {
      fetch: (skip, limit) => repository.findPage({ filter: plan.filter, sort: plan.sort, projection: plan.projection, skip, limit }),
      count: () => totals.total(plan.filter, () => repository.count(plan.filter)),
    });
    return { data: rows.map(render), meta };
  }

  async function loadView(id: string): Promise<ProductView | null> {
    return cache.item(id, async () => {
      const record = await repository.findById(id);
      return record ? toProductView(record, mediaUrl) : null;
    });
  }

  async function findView(idOrSlug: string): Promise<ProductView | null> {
    if (isValidObjectId(idOrSlug) && /^[0-9a-f]{24}$/i.test(idOrSlug)) return loadView(idOrSlug.toLowerCase());
    const id = await cache.idForSlug(idOrSlug, async () => (await repository.findBySlug(idOrSlug))?._id.toString() ?? null);
    const view = id ? await loadView(id) : null;
    if (view?.slug === idOrSlug) return view;
    // The cached slug mapping is stale (the product was renamed with a new slug): ask the database.
    const record = await repository.findBySlug(idOrSlug);
    return record ? toProductView(record, mediaUrl) : null;
  }

  /**
   * Read, apply a variant rule, write only if the product is still at `expectedVersion`. Orders bump
   * the version when they take stock, so a staff write can never overwrite a sale with stale stock.
   */
  async function writeVariants(id: string, expectedVersion: number, apply: (current: ProductRecord) => ProductRecord['variants']): Promise<ProductView> {
    const current = await repository.findById(id);
    if (!current) throw notFound();
    if (current.deletedAt) throw new ConflictError('Product is deleted; restore it before editing', 'PRODUCT_DELETED');
    if (current.version !== expectedVersion) throw versionConflict(expectedVersion, current.version);
    const record = await stock.writeProduct(current, expectedVersion, withVariants(apply(current), current.priceMinor)).catch(duplicateProduct);
    if (!record) throw versionConflict(expectedVersion, (await repository.findById(id))?.version ?? expectedVersion);
    return afterWrite(record);
  }

  async function afterWrite(record: ProductRecord): Promise<ProductView> {
    await cache.invalidate([record._id.toString()]);
    return toProductView(record, mediaUrl);
  }

  return {
    async list(query: ProductListQuery, viewer: Viewer): Promise<ProductList> {
      const plan = planQuery(query, viewer, cursorSecret);
      return cache.query('list', { query, staff: viewer.isStaff }, () => runList(plan));
    },

    async facets(query: FacetsQuery, viewer: Viewer): Promise<FacetsResult> {
      assertQueryAllowed(query, viewer);
      const { tagLimit = 10, ...filterQuery } = query;
      const filter = buildFilter(filterQuery, viewer);
      return cache.query('facets', { query, staff: viewer.isStaff }, async () => {
        const counts = await repository.facets(filter, tagLimit, buckets.map(toMinorUnits));
        const priceBuckets = counts.priceBuckets.map((b) => ({
          min: fromMinorUnits(b.min),
          max: b.max === null ? null : fromMinorUnits(b.max),
          count: b.count,
        }));
        return { ...counts, priceBuckets };
      });
    },

    async get(idOrSlug: string, viewer: Viewer): Promise<ProductView> {
      const view = await findView(idOrSlug);
      if (!view || !isVisibleTo(view, viewer.isStaff)) throw notFound();
      return view;
    },

    async create(input: ProductInput): Promise<ProductView> {
      const slug = input.slug ?? (await freeSlug(input.name));
      const changes = toChanges(input) as NewProduct;
      const record = await assignCategory(input.category, (placement, session) => repository.create({ ...changes, category: placement.category, categoryPath: [...placement.categoryPath], slug }, session)).catch(
        duplicateProduct,
      );
      return afterWrite(record);
    },

    /** Applies the patch only if the product is still at `expectedVersion` (409 VERSION_CONFLICT otherwise). */
    async update(id: string, patch: ProductPatch, expectedVersion: number): Promise<ProductView> {
      const { regenerateSlug, ...input } = patch;
      const current = await repository.findById(id);
      if (!current) throw notFound();
      if (current.deletedAt) throw new ConflictError('Product is deleted; restore it before editing', 'PRODUCT_DELETED');
      const changes = withVariantFields(current, toChanges(input));
      if (regenerateSlug && !input.slug) {
        const candidate = slugify(input.name ?? current.name);
        changes.slug = candidate === current.slug ? candidate : await freeSlug(input.name ?? current.name);
      }
      const write = (extra: ProductChanges = {}, session?: ClientSession | null) => stock.writeProduct(current, expectedVersion, { ...changes, ...extra }, session);
      const record = await (input.category === undefined
        ? write()
        : assignCategory(input.category, (placement, session) => write({ category: placement.category, categoryPath: [...placement.categoryPath] }, session))
      ).catch(duplicateProduct);
      if (!record) {
        const now = await repository.findById(id);
        if (!now) throw notFound();
        throw versionConflict(expectedVersion, now.version);
      }
      return afterWrite(record);
    },

    /** Adds a variant (201); the product's stock and price range follow in the same write. */
    addVariant(id: string, input: VariantInput, expectedVersion: number): Promise<ProductView> {
      return writeVariants(id, expectedVersion, (current) => addVariant(current, input));
    },

    updateVariant(id: string, variantId: string, patch: VariantPatch, expectedVersion: number): Promise<ProductView> {
      return writeVariants(id, expectedVersion, (current) => changeVariant(current, variantId, patch));
    },

    /** Order lines keep their snapshot; a later cancel of such a line has no variant to restock. */
    removeVariant(id: string, variantId: string, expectedVersion: number): Promise<ProductView> {
      return writeVariants(id, expectedVersion, (current) => removeVariant(current, variantId));
    },

    /** Soft delete; deleting an already deleted product is a no-op success. */
    async remove(id: string, actorId: string): Promise<void> {
      const record = await repository.softDelete(id, actorId);
      if (record) {
        await afterWrite(record);
        return;
      }
      if (!(await repository.findById(id))) throw notFound();
    },

    async restore(id: string): Promise<ProductView> {
      const record = await repository.restore(id);
      if (record) return afterWrite(record);
      const current = await repository.findById(id);
      if (!current) throw notFound();
      return toProductView(current, mediaUrl);
    },

    /** For other modules (orders) after they change stock: drops every cached answer for these products. */
    invalidate(ids: readonly string[]): Promise<void> {
      return cache.invalidate(ids);
    },
  };
}

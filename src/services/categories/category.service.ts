// Category rules: the tree with product counts, staff CRUD, subtree moves and deletes that keep
// every product's path right, and the assignment of a product to a category. Every write that
// changes the tree or products' paths runs in one transaction (where the deployment has them), and
// any write that hangs something under a category marks that category in the same transaction, so
// a concurrent delete or move of it conflicts instead of leaving a product or child behind.
import { isValidObjectId, Types, type ClientSession } from 'mongoose';
import { MAX_CATEGORIES, MAX_CATEGORY_DEPTH } from '../../models/Category';
import { slugify } from '../../models/Product';
import type { CategoryChanges, CategoryRecord, CategoryRepository } from '../../repositories/category.repository';
import { DuplicateKeyError } from '../../repositories/errors';
import type { CategoryPlacement, ProductCategoryRepository } from '../../repositories/product-category.repository';
import { ConflictError, NotFoundError, UnprocessableError, type ErrorDetail } from '../../utils/errors';
import type { ProductCache } from '../products/cache';
import { buildFilter, type Viewer } from '../query-engine';
import type { TransactionRunner } from '../transactions';
import { nest, planMove, slugPath, tooDeep } from './tree';
import { toCategoryView, toTreeView, type CategoryTreeView, type CategoryView } from './view';

export interface CategoryInput {
  name: string;
  slug?: string;
  description?: string;
  /** The parent's slug; null or absent: a root. */
  parent?: string | null;
  position?: number;
  active?: boolean;
}

/** `parent` present (a slug or null) moves the category with its subtree. */
export type CategoryPatch = Partial<CategoryInput>;

export interface CategoryServiceDeps {
  readonly categories: CategoryRepository;
  readonly products: ProductCategoryRepository;
  readonly transactions: TransactionRunner;
  /** The product cache: the tree is cached beside product lists, and tree writes invalidate both. */
  readonly cache: ProductCache;
}

export type CategoryService = ReturnType<typeof createCategoryService>;

type Session = ClientSession | null;

const STAFF: Viewer = { isStaff: true };

function notFound(): NotFoundError {
  return new NotFoundError('Category not found', 'CATEGORY_NOT_FOUND');
}

/** A body or query value names a category that does not exist: the request is well-formed but unusable. */
export function unknownCategory(location: ErrorDetail['location'], path: string, slug: string): UnprocessableError {
  return new UnprocessableError(`No category has the slug "${slug}"`, 'UNKNOWN_CATEGORY', {
    details: [{ location, path, message: `no category has the slug "${slug}"`, type: 'category.unknown' }],
  });
}

function duplicateSlug(err: unknown): never {
  if (!(err instanceof DuplicateKeyError)) throw err;
  throw new ConflictError('A category with this slug already exists', 'DUPLICATE_KEY', {
    cause: err,
    details: [{ location: 'body', path: 'slug', message: 'slug must be unique', type: 'unique' }],
  });
}

function versionConflict(expected: number, current: number): ConflictError {
  return new ConflictError('The category was changed by someone else; reload it and retry', 'VERSION_CONFLICT', {
    details: [{ path: 'version', message: `expected version ${expected}, current is ${current}`, currentVersion: current }],
  });
}

/** "Home & Garden" → "home-garden", within the category slug's 60 characters. */
function categorySlug(name: string): string {
  return slugify(name).slice(0, 60).replace(/-+$/g, '') || 'category';
}

export function createCategoryService(deps: CategoryServiceDeps) {
  const { categories, products, transactions, cache } = deps;

  /** One transaction where the deployment has them; a standalone server runs the steps in order. */
  async function inTransaction<T>(work: (session: Session) => Promise<T>): Promise<T> {
    return (await transactions.supportsTransactions()) ? transactions.run(work) : work(null);
  }

  async function slugsById(ids: readonly Types.ObjectId[], session?: Session): Promise<Map<string, CategoryRecord>> {
    return new Map((await categories.findManyByIds(ids, session)).map((c) => [c._id.toString(), c]));
  }

  async function placementOf(category: CategoryRecord, session?: Session): Promise<CategoryPlacement> {
    return { category: category.slug, categoryPath: slugPath(category, await slugsById(category.ancestors, session)) };
  }

  async function findByIdOrSlug(idOrSlug: string): Promise<CategoryRecord | null> {
    if (isValidObjectId(idOrSlug) && /^[0-9a-f]{24}$/i.test(idOrSlug)) return categories.findById(idOrSlug.toLowerCase());
    return categories.findBySlug(idOrSlug);
  }

  async function render(record: CategoryRecord, viewer: Viewer): Promise<CategoryView> {
    const count = await products.countUnder(record.slug, buildFilter({}, viewer));
    return toCategoryView(record, await slugsById(record.ancestors), count);
  }

  /** The parent a write hangs a category under, marked in `session`; null for a root. */
  async function holdParent(slug: string | null | undefined, session: Session): Promise<CategoryRecord | null> {
    if (!slug) return null;
    const parent = await categories.holdForAssignment(slug, session);
    if (!parent) throw unknownCategory('body', 'parent', slug);
    return parent;
  }

  /**
   * Rewrites the products of the moved/renamed category and of its descendants: each category's
   * products get its (new) slug and path. Returns the ids of the products touched.
   */
  async function refileProducts(before: readonly CategoryRecord[], after: readonly CategoryRecord[], session: Session): Promise<string[]> {
    const ids = await products.idsInCategories(before.map((c) => c.slug), session);
    const known = new Map(after.map((c) => [c._id.toString(), c]));
    const outside = [...new Set(after.flatMap((c) => c.ancestors.map((a) => a.toString())))].filter((id) => !known.has(id));
    for (const [id, c] of await slugsById(outside.map((id) => new Types.ObjectId(id)), session)) known.set(id, c);
    for (const [i, category] of after.entries()) {
      await products.moveAll(before[i].slug, { category: category.slug, categoryPath: slugPath(category, known) }, session);
    }
    return ids;
  }

  return {
    /** The tree in sibling order with product counts (descendants included); the public sees active branches only. */
    async tree(viewer: Viewer): Promise<CategoryTreeView[]> {
      return cache.query('categories', { staff: viewer.isStaff }, async () => {
        const [records, counts] = await Promise.all([categories.findAll(), products.countPerPathSlug(buildFilter({}, viewer))]);
        const byId = new Map(records.map((r) => [r._id.toString(), r]));
        return toTreeView(nest(records, (r) => toCategoryView(r, byId, counts.get(r.slug) ?? 0), { activeOnly: !viewer.isStaff }));
      });
    },

    /** One category by id or slug; the public gets 404 for an inactive one or one under an inactive ancestor. */
    async get(idOrSlug: string, viewer: Viewer): Promise<CategoryView> {
      const record = await findByIdOrSlug(idOrSlug);
      if (!record) throw notFound();
      if (!viewer.isStaff) {
        const ancestors = await categories.findManyByIds(record.ancestors);
        if (!record.active || ancestors.some((a) => !a.active)) throw notFound();
      }
      return render(record, viewer);
    },

    async create(input: CategoryInput): Promise<CategoryView> {
      if ((await categories.countAll()) >= MAX_CATEGORIES) {
        throw new ConflictError(`The catalog has its maximum of ${MAX_CATEGORIES} categories`, 'CATEGORY_LIMIT_REACHED');
      }
      const record = await inTransaction(async (session) => {
        const parent = await holdParent(input.parent, session);
        const ancestors = parent ? [...parent.ancestors, parent._id] : [];
        if (ancestors.length >= MAX_CATEGORY_DEPTH) throw tooDeep('parent');
        return categories.create(
          {
            name: input.name,
            slug: input.slug ?? categorySlug(input.name),
            description: input.description ?? '',
            parent: parent?._id ?? null,
            ancestors,
            position: input.position ?? (await categories.nextPosition(parent?._id ?? null)),
            active: input.active ?? true,
          },
          session,
        );
      }).catch(duplicateSlug);
      await cache.invalidate([]);
      return render(record, STAFF);
    },

    /**
     * Changes fields and, with `parent`, moves the category with its subtree — one transaction that
     * rewrites the subtree's ancestors and every affected product's slug path (a slug change too).
     */
    async update(id: string, patch: CategoryPatch, expectedVersion: number): Promise<CategoryView> {
      const { parent: parentSlug, ...fields } = patch;
      const { record, productIds } = await inTransaction(async (session) => {
        const current = await categories.findById(id, session);
        if (!current) throw notFound();
        if (current.version !== expectedVersion) throw versionConflict(expectedVersion, current.version);
        const changes: CategoryChanges = { ...fields };
        const parent = parentSlug === undefined ? undefined : await holdParent(parentSlug, session);
        const sameParent = parent === null ? current.parent === null : parent !== undefined && current.parent !== null && parent._id.equals(current.parent);
        const moving = parent !== undefined && !sameParent;
        const renaming = fields.slug !== undefined && fields.slug !== current.slug;
        const descendants = moving || renaming ? await categories.findDescendants(current._id, session) : [];
        const plan = moving ? planMove(current, parent, descendants) : null;
        if (plan) Object.assign(changes, { parent: parent?._id ?? null, ancestors: plan.ancestors.get(current._id.toString()) });
        const updated = await categories.updateIfVersion(current._id, expectedVersion, changes, session);
        if (!updated) throw versionConflict(expectedVersion, (await categories.findById(id, session))?.version ?? expectedVersion);
        if (!moving && !renaming) return { record: updated, productIds: [] };
        const moved = descendants.map((d) => ({ ...d, ancestors: plan?.ancestors.get(d._id.toString()) ?? d.ancestors }));
        if (plan) for (const d of moved) await categories.setAncestors(d._id, d.ancestors, session);
        const productIds = await refileProducts([current, ...descendants], [updated, ...moved], session);
        return { record: updated, productIds };
      }).catch(duplicateSlug);
      await cache.invalidate(productIds);
      return render(record, STAFF);
    },

    /**
     * Deletes a category without children. Its products (soft-deleted ones included) must be moved
     * first, or reassigned here to `reassignTo` in the same transaction.
     */
    async remove(id: string, reassignTo?: string): Promise<{ reassigned: number }> {
      const productIds = await inTransaction(async (session) => {
        const current = await categories.findById(id, session);
        if (!current) throw notFound();
        if (await categories.hasChildren(current._id, session)) {
          throw new ConflictError('The category has subcategories; move or delete them first', 'CATEGORY_HAS_CHILDREN');
        }
        if (reassignTo === current.slug) {
          throw new UnprocessableError('Products cannot be reassigned to the category being deleted', 'INVALID_REASSIGNMENT', {
            details: [{ location: 'query', path: 'reassignTo', message: 'must name another category', type: 'category.self' }],
          });
        }
        const target = reassignTo ? await categories.holdForAssignment(reassignTo, session) : null;
        if (reassignTo && !target) throw unknownCategory('query', 'reassignTo', reassignTo);
        const count = await products.countInCategory(current.slug, session);
        if (count > 0 && !target) {
          throw new ConflictError(`The category has ${count} products; reassign them (?reassignTo=<slug>) or move them first`, 'CATEGORY_HAS_PRODUCTS', {
            details: [{ location: 'query', path: 'reassignTo', message: `${count} products are filed under ${current.slug}`, productCount: count }],
          });
        }
        const ids = count > 0 ? await products.idsInCategories([current.slug], session) : [];
        if (target && count > 0) await products.moveAll(current.slug, await placementOf(target, session), session);
        await categories.delete(current._id, session);
        return ids;
      });
      await cache.invalidate(productIds);
      return { reassigned: productIds.length };
    },

    /**
     * Runs a product write filed under the category `slug` (422 UNKNOWN_CATEGORY when there is none),
     * handing it the placement, inside the transaction that marks the category.
     */
    assign<T>(slug: string, write: (placement: CategoryPlacement, session: Session) => Promise<T>): Promise<T> {
      return inTransaction(async (session) => {
        const category = await categories.holdForAssignment(slug, session);
        if (!category) throw unknownCategory('body', 'category', slug);
        return write(await placementOf(category, session), session);
      });
    },
  };
}

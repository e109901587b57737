// Products from before the category tree carry a free-text category string. Each distinct string
// becomes a root category (slug from the string, name title-cased) unless a category with that
// slug already exists — then the products join it where it sits in the tree — and its products get
// the category's slug and path. Repeating it changes nothing: only products without a path are read.
import { logger } from '../../utils/logger';
import type { CategoryRecord } from '../../repositories/category.repository';
import type { Migration, MigrationDeps } from './migrations';

const titleCase = (s: string) => s.replace(/(^|[\s-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

/** "Home & Garden " → "home-garden"; a string with no letters or digits files under "uncategorized". */
export function legacyCategorySlug(value: string): string {
  const ascii = value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  return ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/g, '') || 'uncategorized';
}

async function pathOf(category: CategoryRecord, deps: MigrationDeps): Promise<string[]> {
  const byId = new Map((await deps.categories.findManyByIds(category.ancestors)).map((c) => [c._id.toString(), c.slug]));
  return [...category.ancestors.map((id) => byId.get(id.toString()) ?? '?'), category.slug];
}

export const productCategoryTree: Migration = {
  name: '2026-12-product-category-tree',
  description: 'free-text product categories become category documents; each product gets its category slug and path',
  async run(deps, { dryRun }) {
    const pending = await deps.productCategories.countWithoutPath();
    if (pending === 0) return { pending, changed: 0 };
    const legacyValues = await deps.productCategories.legacyCategories();
    if (dryRun) {
      for (const legacy of legacyValues) {
        const slug = legacyCategorySlug(legacy);
        logger.info('category migration would file products', { legacy, slug, categoryExists: (await deps.categories.findBySlug(slug)) !== null });
      }
      return { pending, changed: 0 };
    }
    let changed = 0;
    for (const legacy of legacyValues) {
      const slug = legacyCategorySlug(legacy);
      const { category } = await deps.categories.ensure({
        name: titleCase(legacy.trim().replace(/\s+/g, ' ')).slice(0, 100) || 'Uncategorized',
        slug,
        description: '',
        parent: null,
        ancestors: [],
        position: await deps.categories.nextPosition(null),
      });
      changed += await deps.productCategories.placeLegacy(legacy, { category: category.slug, categoryPath: await pathOf(category, deps) });
    }
    return { pending, changed };
  },
};

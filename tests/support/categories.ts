// Arranges categories for tests that create products over HTTP (a product must name an existing
// category). Root categories by slug; existing ones are kept, so calling it again is harmless.
import { createCategoryRepository } from '../../src/repositories/category.repository';
import { Category } from './models';

export async function ensureCategories(...slugs: string[]): Promise<void> {
  const categories = createCategoryRepository(Category);
  for (const slug of slugs) {
    await categories.ensure({ name: slug, slug, parent: null, ancestors: [], position: 0 });
  }
}

// Puts filter, sort, projection and pagination together into one plan the repository executes.
import { planListFor, withClause } from '../listing/listing';
import { assertQueryAllowed, buildFilter } from './filter';
import { parseSort, PRODUCT_SORT, SORT_STORAGE } from './sort';
import type { ProductListQuery, ProjectableField, QueryPlan, SortTerm, Viewer } from './types';

/** API field → stored fields it is computed from. */
const FIELD_STORAGE: Readonly<Record<ProjectableField, readonly string[]>> = {
  name: ['name'],
  slug: ['slug'],
  sku: ['sku'],
  description: ['description'],
  price: ['priceMinor'],
  priceRange: ['priceMinMinor', 'priceMaxMinor'],
  options: ['variants'],
  variants: ['variants', 'priceMinor'],
  currency: ['currency'],
  category: ['category'],
  tags: ['tags'],
  stock: ['stock'],
  ratingAverage: ['ratingAverage'],
  ratingCount: ['ratingCount'],
  ratingStars: ['ratingAverage'],
  status: ['status'],
  version: ['version'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};

/** Requested fields plus what the engine itself needs (the sort keys, for the next cursor). */
export function buildProjection(fields: readonly ProjectableField[] | undefined, terms: readonly SortTerm[]): QueryPlan['projection'] {
  const textScore = terms.some((t) => t.field === 'relevance');
  if (!fields?.length) return textScore ? { score: { $meta: 'textScore' } } : null;
  const projection: Record<string, 1 | { $meta: 'textScore' }> = { _id: 1, deletedAt: 1 };
  for (const field of fields) for (const stored of FIELD_STORAGE[field]) projection[stored] = 1;
  for (const term of terms) projection[SORT_STORAGE[term.field]] = term.field === 'relevance' ? { $meta: 'textScore' } : 1;
  return projection;
}

/** Validated list query + who is asking → the complete plan. Throws 400/403 AppErrors on misuse. */
export function planQuery(query: ProductListQuery, viewer: Viewer, cursorSecret: string): QueryPlan {
  assertQueryAllowed(query, viewer);
  const terms = parseSort(query.sort, { textSearch: query.searchMode === 'text' && Boolean(query.search) });
  const list = planListFor(terms, query, PRODUCT_SORT, cursorSecret);
  return {
    filter: withClause(buildFilter(query, viewer), list.after),
    sort: list.sort,
    sortTerms: terms,
    projection: buildProjection(query.fields, terms),
    fields: query.fields?.length ? query.fields : null,
    page: list.page,
  };
}

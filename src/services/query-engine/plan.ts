// Puts filter, sort, projection and pagination together into one plan the repository executes.
import { ValidationError } from '../../utils/errors';
import { cursorError, decodeCursor, keysetFilter } from './cursor';
import { assertQueryAllowed, buildFilter } from './filter';
import { parseSort, SORT_STORAGE, toMongoSort } from './sort';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type MongoFilter,
  type PagePlan,
  type ProductListQuery,
  type ProjectableField,
  type QueryPlan,
  type SortTerm,
  type Viewer,
} from './types';

/** API field → stored fields it is computed from. */
const FIELD_STORAGE: Readonly<Record<ProjectableField, readonly string[]>> = {
  name: ['name'],
  slug: ['slug'],
  sku: ['sku'],
  description: ['description'],
  price: ['priceMinor'],
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

function pagePlan(query: ProductListQuery, terms: readonly SortTerm[], secret: string): PagePlan {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) throw new ValidationError(undefined, [{ location: 'query', path: 'limit', message: `limit must be 1–${MAX_LIMIT}` }]);
  const isCursor = query.pagination === 'cursor' || query.cursor !== undefined;
  if (!isCursor) {
    const page = query.page ?? 1;
    return { kind: 'offset', page, limit, skip: (page - 1) * limit };
  }
  if (query.page !== undefined) throw cursorError('page and cursor pagination cannot be combined');
  if (terms.some((t) => t.field === 'relevance')) throw cursorError('cursor pagination is not available for sort=relevance; use page');
  return { kind: 'cursor', limit, after: query.cursor ? decodeCursor(query.cursor, terms, secret) : null };
}

function withClause(filter: MongoFilter, clause: MongoFilter): MongoFilter {
  const and = Array.isArray(filter.$and) ? [...(filter.$and as MongoFilter[]), clause] : [clause];
  return { ...filter, $and: and };
}

/** Validated list query + who is asking → the complete plan. Throws 400/403 AppErrors on misuse. */
export function planQuery(query: ProductListQuery, viewer: Viewer, cursorSecret: string): QueryPlan {
  assertQueryAllowed(query, viewer);
  const terms = parseSort(query.sort, { textSearch: query.searchMode === 'text' && Boolean(query.search) });
  const page = pagePlan(query, terms, cursorSecret);
  let filter = buildFilter(query, viewer);
  if (page.kind === 'cursor' && page.after) filter = withClause(filter, keysetFilter(terms, page.after));
  return {
    filter,
    sort: toMongoSort(terms),
    sortTerms: terms,
    projection: buildProjection(query.fields, terms),
    fields: query.fields?.length ? query.fields : null,
    page,
  };
}

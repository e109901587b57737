// The query engine's vocabulary: validated list parameters in, a MongoDB plan out.
import type { MongoFilter, MongoSort, PagePlan, PageQuery, SortTerm } from '../listing/listing';

export type { KeysetValue, MongoFilter, MongoSort, PagePlan, SortDirection, SortTerm } from '../listing/listing';
export { DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE } from '../listing/listing';

/** API-level sortable fields; `relevance` is the text score and needs `searchMode=text`. */
export const SORT_FIELDS = ['price', 'createdAt', 'ratingAverage', 'name', 'relevance'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export const PROJECTABLE_FIELDS = [
  'name', 'slug', 'sku', 'description', 'price', 'currency', 'category', 'tags', 'stock',
  'ratingAverage', 'ratingCount', 'ratingStars', 'status', 'version', 'createdAt', 'updatedAt',
  'priceRange', 'options', 'variants',
] as const;
export type ProjectableField = (typeof PROJECTABLE_FIELDS)[number];

/** The filter half of a list or facet query, as joi delivered it (already typed and bounded). */
export interface ProductFilterQuery {
  readonly search?: string;
  readonly searchMode?: 'all' | 'any' | 'text';
  readonly minPrice?: number;
  readonly maxPrice?: number;
  readonly tags?: readonly string[];
  readonly tagsMode?: 'any' | 'all';
  readonly category?: string;
  /** `name:value` pairs (`size:M`); one variant must match every named option (values of one name: any). */
  readonly options?: readonly string[];
  readonly inStock?: boolean;
  readonly minRating?: number;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  readonly status?: 'active' | 'draft';
  readonly includeDeleted?: boolean;
  readonly onlyDeleted?: boolean;
}

export interface ProductListQuery extends ProductFilterQuery, PageQuery {
  readonly fields?: readonly ProjectableField[];
}

export interface Viewer {
  readonly isStaff: boolean;
}


export interface QueryPlan {
  readonly filter: MongoFilter;
  readonly sort: MongoSort;
  readonly sortTerms: readonly SortTerm[];
  readonly projection: Record<string, 1 | { $meta: 'textScore' }> | null;
  readonly fields: readonly ProjectableField[] | null;
  readonly page: PagePlan;
}

export const MAX_SEARCH_TERMS = 8;

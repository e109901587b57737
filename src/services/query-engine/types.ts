// The query engine's vocabulary: validated list parameters in, a MongoDB plan out.
import type { Types } from 'mongoose';
import type { MongoFilter, MongoSort } from '../../repositories/query.types';

export type SortDirection = 1 | -1;
/** API-level sortable fields; `relevance` is the text score and needs `searchMode=text`. */
export const SORT_FIELDS = ['price', 'createdAt', 'ratingAverage', 'name', 'relevance'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface SortTerm {
  readonly field: SortField | '_id';
  readonly direction: SortDirection;
}

export const PROJECTABLE_FIELDS = [
  'name', 'slug', 'sku', 'description', 'price', 'currency', 'category', 'tags', 'stock',
  'ratingAverage', 'ratingCount', 'ratingStars', 'status', 'version', 'createdAt', 'updatedAt',
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
  readonly inStock?: boolean;
  readonly minRating?: number;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  readonly status?: 'active' | 'draft';
  readonly includeDeleted?: boolean;
  readonly onlyDeleted?: boolean;
}

export interface ProductListQuery extends ProductFilterQuery {
  readonly sort?: string;
  readonly fields?: readonly ProjectableField[];
  readonly page?: number;
  readonly limit?: number;
  readonly cursor?: string;
  readonly pagination?: 'offset' | 'cursor';
}

export interface Viewer {
  readonly isStaff: boolean;
}

export type { MongoFilter, MongoSort } from '../../repositories/query.types';
export type KeysetValue = number | string | Date | Types.ObjectId;

export type PagePlan =
  | { readonly kind: 'offset'; readonly page: number; readonly limit: number; readonly skip: number }
  | { readonly kind: 'cursor'; readonly limit: number; readonly after: readonly KeysetValue[] | null };

export interface QueryPlan {
  readonly filter: MongoFilter;
  readonly sort: MongoSort;
  readonly sortTerms: readonly SortTerm[];
  readonly projection: Record<string, 1 | { $meta: 'textScore' }> | null;
  readonly fields: readonly ProjectableField[] | null;
  readonly page: PagePlan;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Offset pages deeper than this cost a skip over 100k index keys; cursor pagination has no such bound. */
export const MAX_PAGE = 1000;
export const MAX_SEARCH_TERMS = 8;

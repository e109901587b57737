// The listing vocabulary shared by every collection endpoint: sort terms, keyset values, page plans
// and the one `meta` shape. Pure types and constants; no I/O.
import type { Types } from 'mongoose';

export type SortDirection = 1 | -1;
export type KeysetValue = number | string | Date | Types.ObjectId;
/** How a sort key travels inside a cursor (JSON) and is restored to its BSON type. */
export type KeyType = 'date' | 'number' | 'string' | 'objectId';

export interface SortableField {
  /** Stored (MongoDB) path the API field sorts on, e.g. `priceMinor` for `price`. */
  readonly storage: string;
  readonly type: KeyType;
  /** Direction when the client writes the field without `:asc`/`:desc` (default: descending). */
  readonly defaultDirection?: SortDirection;
  /** Sorts by `$meta: 'textScore'` (descending only, never resumable by cursor). */
  readonly textScore?: boolean;
}

/** One resource's sort whitelist: API field → how it is stored. `_id` is added by the toolkit. */
export interface SortSpec {
  readonly fields: Readonly<Record<string, SortableField>>;
  /** Sort applied when the client sends none, in the grammar (`createdAt:desc`). */
  readonly defaultSort: string;
}

export interface SortTerm {
  readonly field: string;
  readonly direction: SortDirection;
}

// Query shapes live below the services, where the repositories execute them.
export type { MongoFilter, MongoSort } from '../../repositories/query.types';

/** The pagination half of every list query, as joi delivered it. */
export interface PageQuery {
  readonly sort?: string;
  readonly page?: number;
  readonly limit?: number;
  readonly pagination?: 'offset' | 'cursor';
  readonly cursor?: string;
}

export type PagePlan =
  | { readonly kind: 'offset'; readonly page: number; readonly limit: number; readonly skip: number }
  | { readonly kind: 'cursor'; readonly limit: number; readonly after: readonly KeysetValue[] | null };

/** The `meta` of every list response. */
export type PageMeta =
  | { pagination: 'offset'; page: number; limit: number; total: number; totalPages: number; hasNext: boolean; hasPrev: boolean }
  | { pagination: 'cursor'; limit: number; hasNext: boolean; nextCursor: string | null };

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Offset pages deeper than this cost a skip over 100k index keys; cursor pagination has no such bound. */
export const MAX_PAGE = 1000;

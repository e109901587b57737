// Page planning and the one `meta` builder: offset pages (with a total) or keyset cursor pages (one
// extra row tells whether another page exists, no count). Offset pages fetch one extra row too: a
// page that does not fill up is the last one, so its total is known without a count query.
import { cursorError, decodeCursor, encodeCursor, keysetFilter, storedKeys } from './cursor';
import { fieldOf, parseSort, toMongoSort } from './sort';
import { DEFAULT_LIMIT, type KeysetValue, type MongoFilter, type MongoSort, type PageMeta, type PagePlan, type PageQuery, type SortSpec, type SortTerm } from './types';

export interface ListPlan {
  readonly terms: readonly SortTerm[];
  readonly sort: MongoSort;
  readonly page: PagePlan;
  /** The keyset condition to AND with the resource filter (null on offset pages and the first cursor page). */
  readonly after: MongoFilter | null;
}

/** `pagination=cursor` or any `cursor` selects keyset paging; `page` and `cursor` never mix. */
export function planPage(query: PageQuery, terms: readonly SortTerm[], spec: SortSpec, secret: string): PagePlan {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const isCursor = query.pagination === 'cursor' || query.cursor !== undefined;
  if (!isCursor) {
    const page = query.page ?? 1;
    return { kind: 'offset', page, limit, skip: (page - 1) * limit };
  }
  if (query.page !== undefined) throw cursorError('page and cursor pagination cannot be combined');
  const scored = terms.find((t) => fieldOf(spec, t.field).textScore);
  if (scored) throw cursorError(`cursor pagination is not available for sort=${scored.field}; use page`);
  return { kind: 'cursor', limit, after: query.cursor ? decodeCursor(query.cursor, terms, spec, secret) : null };
}

/** Sort + page + keyset condition for one validated list query. Throws 400 on a bad sort or cursor. */
export function planList(query: PageQuery, spec: SortSpec, secret: string): ListPlan {
  const terms = parseSort(query.sort, spec);
  return planListFor(terms, query, spec, secret);
}

/** As planList, for callers that parse (and check) the sort themselves. */
export function planListFor(terms: readonly SortTerm[], query: PageQuery, spec: SortSpec, secret: string): ListPlan {
  const page = planPage(query, terms, spec, secret);
  const after = page.kind === 'cursor' && page.after ? keysetFilter(terms, page.after, spec) : null;
  return { terms, sort: toMongoSort(terms, spec), page, after };
}

/** ANDs a clause into a filter without disturbing its own `$and`. */
export function withClause(filter: MongoFilter, clause: MongoFilter | null): MongoFilter {
  if (!clause) return filter;
  const and = Array.isArray(filter.$and) ? [...(filter.$and as MongoFilter[]), clause] : [clause];
  return { ...filter, $and: and };
}

export interface PageSource<Row> {
  /** Rows in sort order; cursor pages ask for one more than `limit`. */
  readonly fetch: (skip: number, limit: number) => Promise<readonly Row[]>;
  /** Total matching rows (offset pages that fill up only). */
  readonly count: () => Promise<number>;
  /** Sort keys of a row (default: its stored fields). */
  readonly keysOf?: (row: Row, terms: readonly SortTerm[]) => KeysetValue[];
}

/** Runs a planned page and builds the one `meta` shape every list returns. */
export async function fetchPage<Row>(plan: ListPlan, spec: SortSpec, secret: string, source: PageSource<Row>): Promise<{ rows: Row[]; meta: PageMeta }> {
  const { page } = plan;
  if (page.kind === 'offset') {
    const fetched = await source.fetch(page.skip, page.limit + 1);
    const rows = fetched.slice(0, page.limit);
    // The last page (or the first, empty one) tells the total; a page past the end, or with more
    // rows after it, needs the count.
    const isLast = fetched.length <= page.limit && (fetched.length > 0 || page.skip === 0);
    const total = isLast ? page.skip + fetched.length : await source.count();
    const totalPages = Math.ceil(total / page.limit);
    return {
      rows,
      meta: { pagination: 'offset', page: page.page, limit: page.limit, total, totalPages, hasNext: page.page < totalPages, hasPrev: page.page > 1 },
    };
  }
  const fetched = await source.fetch(0, page.limit + 1);
  const hasNext = fetched.length > page.limit;
  const rows = fetched.slice(0, page.limit);
  const last = rows[rows.length - 1];
  const keysOf = source.keysOf ?? ((row: Row, terms: readonly SortTerm[]) => storedKeys(row as object, terms, spec));
  const nextCursor = hasNext && last !== undefined ? encodeCursor(plan.terms, keysOf(last, plan.terms), secret) : null;
  return { rows, meta: { pagination: 'cursor', limit: page.limit, hasNext, nextCursor } };
}

// Validated filter parameters → one MongoDB filter document. Pure: no I/O, no globals.
import { optionTag } from '../../models/ProductVariant';
import { ForbiddenError } from '../../utils/errors';
import { MAX_SEARCH_TERMS, type MongoFilter, type ProductFilterQuery, type Viewer } from './types';

/** Escapes every regex metacharacter so user input is matched literally (no ReDoS, no injection). */
export function escapeRegex(input: string): string {
  return input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Money in the API is a decimal with at most 2 places; storage is integer minor units. */
export function toMinorUnits(amount: number): number {
  return Math.round(amount * 100);
}

export function fromMinorUnits(minor: number): number {
  return minor / 100;
}

/** Splits a search string into distinct lower-cased terms, bounded in count. */
export function searchTerms(search: string): string[] {
  const terms = search.toLowerCase().split(/\s+/).filter(Boolean);
  return [...new Set(terms)].slice(0, MAX_SEARCH_TERMS);
}

const SEARCH_FIELDS = ['name', 'description', 'tags'] as const;

/** Regex search: every term (or any, for searchMode=any) must occur in name, description or a tag. */
export function buildSearchClause(search: string, mode: 'all' | 'any' | 'text' = 'all'): MongoFilter | null {
  if (mode === 'text') return { $text: { $search: search } };
  const terms = searchTerms(search);
  if (!terms.length) return null;
  const perTerm = terms.map((term) => SEARCH_FIELDS.map((field) => ({ [field]: { $regex: escapeRegex(term), $options: 'i' } })));
  if (mode === 'any') return { $or: perTerm.flat() };
  return terms.length === 1 ? { $or: perTerm[0] } : { $and: perTerm.map((alternatives) => ({ $or: alternatives })) };
}

/**
 * `size:M,size:L,colour:red` → one active variant whose tags hold (size=m or size=l) and colour=red.
 * Names and values only ever appear as array values to match, never as field names.
 */
export function buildOptionClause(pairs: readonly string[] | undefined): MongoFilter | null {
  if (!pairs?.length) return null;
  const byName = new Map<string, string[]>();
  for (const pair of pairs) {
    const at = pair.indexOf(':');
    const name = pair.slice(0, at).toLowerCase();
    byName.set(name, [...(byName.get(name) ?? []), optionTag(name, pair.slice(at + 1))]);
  }
  const clauses = [...byName.values()].map((tags) => ({ optionTags: { $in: [...new Set(tags)] } }));
  return { $elemMatch: { active: true, $and: clauses } };
}

/** includeDeleted/onlyDeleted/status reveal what the public must not see: staff only. */
export function assertQueryAllowed(query: ProductFilterQuery, viewer: Viewer): void {
  if (viewer.isStaff) return;
  const restricted = (['includeDeleted', 'onlyDeleted', 'status'] as const).filter((key) => query[key] !== undefined);
  if (restricted.length) throw new ForbiddenError(`Only managers and admins may use: ${restricted.join(', ')}`);
}

function range<T>(min: T | undefined, max: T | undefined): Record<string, T> | undefined {
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined && { $gte: min }), ...(max !== undefined && { $lte: max }) };
}

/** The visibility rules: the public sees active, live products; staff choose. */
function visibility(query: ProductFilterQuery, viewer: Viewer): MongoFilter {
  const filter: MongoFilter = {};
  if (query.onlyDeleted) filter.deletedAt = { $ne: null };
  else if (!query.includeDeleted) filter.deletedAt = null;
  if (!viewer.isStaff) filter.status = 'active';
  else if (query.status) filter.status = query.status;
  return filter;
}

export function buildFilter(query: ProductFilterQuery, viewer: Viewer): MongoFilter {
  const filter = visibility(query, viewer);
  // A product matches a price window when any active variant's price can fall in it: the ranges overlap.
  if (query.minPrice !== undefined) filter.priceMaxMinor = { $gte: toMinorUnits(query.minPrice) };
  if (query.maxPrice !== undefined) filter.priceMinMinor = { $lte: toMinorUnits(query.maxPrice) };
  const options = buildOptionClause(query.options);
  if (options) filter.variants = options;
  if (query.category) filter.category = query.category;
  if (query.tags?.length) filter.tags = query.tagsMode === 'all' ? { $all: [...query.tags] } : { $in: [...query.tags] };
  if (query.inStock === true) filter.stock = { $gt: 0 };
  if (query.inStock === false) filter.stock = 0;
  if (query.minRating !== undefined) filter.ratingAverage = { $gte: query.minRating };
  const created = range(query.createdFrom, query.createdTo);
  if (created) filter.createdAt = created;
  const search = query.search ? buildSearchClause(query.search, query.searchMode) : null;
  if (search) Object.assign(filter, search.$text ? search : { $and: [search] });
  return filter;
}

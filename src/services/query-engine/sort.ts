// The product sort whitelist for the shared listing grammar (`sort=price:desc,name:asc`), and the
// listing functions bound to it.
import * as listing from '../listing/listing';
import type { KeysetValue, MongoFilter, MongoSort, SortSpec, SortTerm } from '../listing/listing';

export const DEFAULT_SORT = 'createdAt:desc';

/** API field → stored field. Price sorts by the variant price range's minimum, stored in integer minor units; relevance is the text score. */
export const PRODUCT_SORT: SortSpec = {
  defaultSort: DEFAULT_SORT,
  fields: {
    // The cheapest active variant ("from $X"), denormalized on the product.
    price: { storage: 'priceMinMinor', type: 'number' },
    createdAt: { storage: 'createdAt', type: 'date' },
    ratingAverage: { storage: 'ratingAverage', type: 'number' },
    // Names read A→Z unless asked otherwise; everything else defaults to descending.
    name: { storage: 'name', type: 'string', defaultDirection: 1 },
    relevance: { storage: 'score', type: 'number', textScore: true },
  },
};

export const SORT_STORAGE: Readonly<Record<string, string>> = Object.fromEntries([
  ...Object.entries(PRODUCT_SORT.fields).map(([field, entry]) => [field, entry.storage]),
  ['_id', '_id'],
]);

/** The shared grammar, plus the product rule that `relevance` needs a text search to rank by. */
export function parseSort(raw: string | undefined, options: { textSearch: boolean } = { textSearch: false }): SortTerm[] {
  const terms = listing.parseSort(raw, PRODUCT_SORT);
  if (!options.textSearch && terms.some((t) => t.field === 'relevance')) throw listing.sortError('"relevance" needs search with searchMode=text');
  return terms;
}

export const toMongoSort = (terms: readonly SortTerm[]): MongoSort => listing.toMongoSort(terms, PRODUCT_SORT);
export const sortSignature = listing.sortSignature;
export const encodeCursor = listing.encodeCursor;
export const decodeCursor = (cursor: string, terms: readonly SortTerm[], secret: string): KeysetValue[] =>
  listing.decodeCursor(cursor, terms, PRODUCT_SORT, secret);
export const keysetFilter = (terms: readonly SortTerm[], keys: readonly KeysetValue[]): MongoFilter => listing.keysetFilter(terms, keys, PRODUCT_SORT);
export const keysOf = (doc: Record<string, unknown>, terms: readonly SortTerm[]): KeysetValue[] => listing.storedKeys(doc, terms, PRODUCT_SORT);

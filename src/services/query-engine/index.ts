// The product query engine: pure functions from validated parameters to a MongoDB plan.
export * from './types';
export { buildFilter, buildOptionClause, buildSearchClause, escapeRegex, fromMinorUnits, searchTerms, toMinorUnits, assertQueryAllowed } from './filter';
export { parseSort, toMongoSort, sortSignature, SORT_STORAGE, DEFAULT_SORT, PRODUCT_SORT, encodeCursor, decodeCursor, keysetFilter, keysOf } from './sort';
export { planQuery, buildProjection } from './plan';

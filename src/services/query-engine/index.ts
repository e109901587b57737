// The product query engine: pure functions from validated parameters to a MongoDB plan.
export * from './types';
export { buildFilter, buildSearchClause, escapeRegex, fromMinorUnits, searchTerms, toMinorUnits, assertQueryAllowed } from './filter';
export { parseSort, toMongoSort, sortSignature, SORT_STORAGE, DEFAULT_SORT } from './sort';
export { encodeCursor, decodeCursor, keysetFilter, keysOf } from './cursor';
export { planQuery, buildProjection } from './plan';

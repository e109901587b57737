// The listing toolkit: one sort grammar, one pagination parameter, signed keyset cursors and one
// `meta` shape for every collection endpoint. See QUERY-ENGINE-DOC.md ("Listing grammar").
export * from './types';
export { parseSort, toMongoSort, sortSignature, sortError, fieldOf } from './sort';
export { encodeCursor, decodeCursor, keysetFilter, storedKeys, cursorError } from './cursor';
export { planPage, planList, planListFor, withClause, fetchPage, type ListPlan, type PageSource } from './page';

// `sort=price:desc,name:asc` → sort terms with `_id` appended, and their MongoDB form.
import { ValidationError } from '../../utils/errors';
import { SORT_FIELDS, type MongoSort, type SortField, type SortTerm } from './types';

/** API field → stored field. Price is stored in integer minor units. */
export const SORT_STORAGE: Readonly<Record<SortField | '_id', string>> = {
  price: 'priceMinor',
  createdAt: 'createdAt',
  ratingAverage: 'ratingAverage',
  name: 'name',
  relevance: 'score',
  _id: '_id',
};

export const DEFAULT_SORT = 'createdAt:desc';

function sortError(message: string): ValidationError {
  return new ValidationError('Request validation failed', [{ location: 'query', path: 'sort', message, type: 'sort.invalid' }]);
}

/**
 * Parses the sort grammar. `_id` always closes the list (in the direction of the last term) so
 * ties are broken the same way on every page. Fields may not repeat.
 */
export function parseSort(raw: string | undefined, options: { textSearch: boolean } = { textSearch: false }): SortTerm[] {
  const terms: SortTerm[] = [];
  for (const part of (raw ?? DEFAULT_SORT).split(',').map((p) => p.trim())) {
    const match = /^([A-Za-z]+)(?::(asc|desc))?$/.exec(part);
    if (!match) throw sortError(`"${part}" is not "field:asc" or "field:desc"`);
    const field = match[1] as SortField;
    if (!SORT_FIELDS.includes(field)) throw sortError(`"${field}" is not sortable; use one of ${SORT_FIELDS.join(', ')}`);
    if (terms.some((t) => t.field === field)) throw sortError(`"${field}" appears more than once`);
    if (field === 'relevance' && !options.textSearch) throw sortError('"relevance" needs search with searchMode=text');
    // Relevance is only meaningful high-to-low; name defaults to A→Z, everything else to descending.
    const direction = match[2] ? (match[2] === 'asc' ? 1 : -1) : field === 'name' ? 1 : -1;
    if (field === 'relevance' && direction === 1) throw sortError('"relevance" sorts descending only');
    terms.push({ field, direction });
  }
  terms.push({ field: '_id', direction: terms[terms.length - 1]?.direction ?? -1 });
  return terms;
}

export function toMongoSort(terms: readonly SortTerm[]): MongoSort {
  const sort: MongoSort = {};
  for (const term of terms) sort[SORT_STORAGE[term.field]] = term.field === 'relevance' ? { $meta: 'textScore' } : term.direction;
  return sort;
}

/** A stable text form of the sort, bound into cursors so a cursor only resumes the sort it came from. */
export function sortSignature(terms: readonly SortTerm[]): string {
  return terms.map((t) => `${t.field}:${t.direction}`).join(',');
}

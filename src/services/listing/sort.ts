// The one sort grammar: `sort=field[:asc|desc][,field[:asc|desc]]…` against a per-resource whitelist,
// closed by `_id` so ties break the same way on every page.
import { ValidationError } from '../../utils/errors';
import type { MongoSort, SortableField, SortSpec, SortTerm } from './types';

const ID_FIELD: SortableField = { storage: '_id', type: 'objectId' };

export function sortError(message: string): ValidationError {
  return new ValidationError('Request validation failed', [{ location: 'query', path: 'sort', message, type: 'sort.invalid' }]);
}

/** The whitelist entry of a parsed term (`_id` included). */
export function fieldOf(spec: SortSpec, field: string): SortableField {
  return field === '_id' ? ID_FIELD : spec.fields[field];
}

/**
 * Parses the grammar. Fields may not repeat; `_id` always closes the list in the direction of the
 * last term (a client cannot name it: it is the tie-break, not a choice).
 */
export function parseSort(raw: string | undefined, spec: SortSpec): SortTerm[] {
  const allowed = Object.keys(spec.fields);
  const terms: SortTerm[] = [];
  for (const part of (raw ?? spec.defaultSort).split(',').map((p) => p.trim())) {
    const match = /^([A-Za-z]+)(?::(asc|desc))?$/.exec(part);
    if (!match) throw sortError(`"${part}" is not "field:asc" or "field:desc"`);
    const field = match[1];
    const entry = Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined;
    if (!entry) throw sortError(`"${field}" is not sortable; use one of ${allowed.join(', ')}`);
    if (terms.some((t) => t.field === field)) throw sortError(`"${field}" appears more than once`);
    const direction = match[2] ? (match[2] === 'asc' ? 1 : -1) : (entry.defaultDirection ?? -1);
    if (entry.textScore && direction === 1) throw sortError(`"${field}" sorts descending only`);
    terms.push({ field, direction });
  }
  terms.push({ field: '_id', direction: terms[terms.length - 1]?.direction ?? -1 });
  return terms;
}

export function toMongoSort(terms: readonly SortTerm[], spec: SortSpec): MongoSort {
  const sort: MongoSort = {};
  for (const term of terms) {
    const entry = fieldOf(spec, term.field);
    sort[entry.storage] = entry.textScore ? { $meta: 'textScore' } : term.direction;
  }
  return sort;
}

/** A stable text form of the sort, bound into cursors so a cursor only resumes the sort it came from. */
export function sortSignature(terms: readonly SortTerm[]): string {
  return terms.map((t) => `${t.field}:${t.direction}`).join(',');
}

// The query keys every list endpoint shares (the listing grammar in QUERY-ENGINE-DOC.md). Each
// resource spreads them into its own query schema next to its filters.
import Joi from 'joi';
import { MAX_LIMIT, MAX_PAGE, type SortSpec } from '../services/listing/listing';

const CURSOR = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** `sort`, `page`, `limit`, `pagination`, `cursor` — their meaning is checked by the listing toolkit. */
export function listingKeys(spec: SortSpec) {
  const fields = Object.keys(spec.fields).join(', ');
  return {
    sort: Joi.string()
      .max(200)
      .description(`\`field[:asc|desc]\` terms, comma-separated; fields: ${fields}; default \`${spec.defaultSort}\`; \`_id\` breaks ties`),
    page: Joi.number().integer().min(1).max(MAX_PAGE).description('Offset pagination: 1-based page (not with cursor)'),
    limit: Joi.number().integer().min(1).max(MAX_LIMIT).description('Page size (default 20)'),
    pagination: Joi.string().valid('offset', 'cursor').description('offset (default): page + total; cursor: keyset pages, no total'),
    cursor: Joi.string().max(2000).pattern(CURSOR).messages({ 'string.pattern.base': 'cursor is malformed' }).description('meta.nextCursor of the previous page (same sort)'),
  };
}

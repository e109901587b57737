// The query keys every list endpoint shares (the listing grammar in QUERY-ENGINE-DOC.md). Each
// resource spreads them into its own query schema next to its filters.
import Joi from 'joi';
import { MAX_LIMIT, MAX_PAGE, type SortSpec } from '../services/listing/listing';

const CURSOR = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** `sort`, `page`, `limit`, `pagination`, `cursor` — their meaning is checked by the listing toolkit. */
export function listingKeys(spec: SortSpec) {
  const fields = Object.keys(spec.fields).join(', ');
  // The document states one term's shape; several distinct terms, comma-separated, are accepted too.
  const term = `(${Object.keys(spec.fields).join('|')})(:(asc|desc))?`;
  return {
    sort: Joi.string()
      .max(200)
      .description(`\`field[:asc|desc]\` terms, comma-separated; fields: ${fields}; default \`${spec.defaultSort}\`; \`_id\` breaks ties`)
      .meta({ openapi: { pattern: `^${term}$` } }),
    page: Joi.number().integer().min(1).max(MAX_PAGE).description('Offset pagination: 1-based page (not with cursor)'),
    limit: Joi.number().integer().min(1).max(MAX_LIMIT).description('Page size (default 20)'),
    pagination: Joi.string().valid('offset', 'cursor').description('offset (default): page + total; cursor: keyset pages, no total'),
    cursor: Joi.string()
      .max(2000)
      .pattern(CURSOR)
      .messages({ 'string.pattern.base': 'cursor is malformed' })
      .description('Opaque: `meta.nextCursor` of the previous page, with the same sort. Not with `page`.')
      .meta({ opaque: true }),
  };
}

/** Rejected together by the listing toolkit (cursor pages have no page number); documented as x-exclusive-parameters. */
export const LISTING_EXCLUSIONS = { exclusiveParameters: [['page', 'cursor']] };

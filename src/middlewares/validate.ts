// Validates params, query, body (and declared headers) against the route's joi schemas.
// Schemas are compiled once at route declaration; validated values land on `req.validated`.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import Joi from 'joi';
import { ValidationError, type ErrorDetail } from '../utils/errors';
import { inspectInput } from './input-guard';

type Location = 'params' | 'query' | 'body' | 'headers';

export interface RequestSchemas {
  readonly params?: Joi.ObjectSchema;
  readonly query?: Joi.ObjectSchema;
  readonly body?: Joi.Schema;
  readonly headers?: Joi.ObjectSchema;
}

const OPTIONS: Joi.ValidationOptions = {
  abortEarly: false,
  convert: true,
  errors: { wrap: { label: false } },
};
// Headers carry much more than we declare; only the declared ones are checked and kept.
const HEADER_OPTIONS: Joi.ValidationOptions = { ...OPTIONS, allowUnknown: true, stripUnknown: true };

function toDetails(location: Location, error: Joi.ValidationError): ErrorDetail[] {
  return error.details.map((d) => ({
    location,
    path: d.path.join('.') || location,
    message: d.type === 'object.unknown' ? `Unknown field "${d.path.join('.')}"` : d.message,
    type: d.type,
  }));
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);
}

/** A route that declares no query or body schema accepts none: anything sent is an unknown field. */
function undeclared(location: 'query' | 'body', value: unknown): ErrorDetail[] {
  if (isEmpty(value)) return [];
  const keys = typeof value === 'object' ? Object.keys(value as object) : [location];
  return keys.map((key) => ({ location, path: key, message: `Unknown field "${key}"`, type: 'object.unknown' }));
}

const LIST_META = { hpp: 'list' } as const;

/** Query keys declared with `list()`: the only ones that may repeat. */
function listKeys(query: Joi.ObjectSchema | undefined): Set<string> {
  const keys = (query?.describe().keys ?? {}) as Record<string, { metas?: unknown[] }>;
  return new Set(Object.entries(keys).filter(([, d]) => (d.metas ?? []).some((m) => (m as { hpp?: string }).hpp === LIST_META.hpp)).map(([key]) => key));
}

/**
 * HTTP parameter pollution, one rule for every route: Express's 'simple' query parser turns
 * `?a=1&a=2` into an array; a repeated parameter that is not a declared list is a 400 (which
 * value would win is otherwise an accident of the framework).
 */
function repeatedScalars(query: unknown, lists: Set<string>): ErrorDetail[] {
  if (!query || typeof query !== 'object') return [];
  return Object.entries(query as Record<string, unknown>)
    .filter(([key, value]) => Array.isArray(value) && !lists.has(key))
    .map(([key]) => ({ location: 'query', path: key, message: `${key} must be given once (repeated query parameters are rejected)`, type: 'any.repeated' }));
}

/**
 * The body schema of a POST/PUT/PATCH route that takes no input: an empty object, so any key is an
 * unknown field. Declaring it (rather than omitting the body schema) keeps the route-table audit
 * strict: every body-taking route states what it accepts.
 */
export const noBody = Joi.object({}).description('No request body');

export function validate(declared: RequestSchemas = {}): RequestHandler {
  const order: Location[] = ['params', 'query', 'headers', 'body'];
  const lists = listKeys(declared.query);
  // Options baked into each schema once: passing them to every validate() call makes joi check and
  // merge them on every request.
  const schemas: Partial<Record<Location, Joi.Schema>> = {};
  for (const location of order) schemas[location] = declared[location]?.prefs(location === 'headers' ? HEADER_OPTIONS : OPTIONS);
  return function validateRequest(req: Request, _res: Response, next: NextFunction) {
    // Hostile shapes ($-operators, dotted paths, prototype keys, absurd nesting) are refused
    // before any schema, handler or query sees them.
    // A raw body (Buffer) is bytes for a signature check, not a structure to inspect.
    const rawBody = Buffer.isBuffer(req.body);
    for (const location of ['params', 'query', 'body'] as const) if (!(location === 'body' && rawBody)) inspectInput(location, req[location]);
    const details: ErrorDetail[] = schemas.query ? repeatedScalars(req.query, lists) : [];
    if (details.length) throw new ValidationError('Request validation failed', details);
    const validated: Request['validated'] = { params: { ...req.params }, query: {}, body: undefined, headers: {} };
    for (const location of order) {
      const schema = schemas[location];
      if (!schema) {
        if (location === 'body' && rawBody) validated.body = req.body;
        else if (location === 'query' || location === 'body') details.push(...undeclared(location, req[location]));
        continue;
      }
      const raw = location === 'body' ? (req.body ?? {}) : (req[location] as unknown);
      const { value, error } = schema.validate(raw);
      if (error) details.push(...toDetails(location, error));
      else if (location === 'body') validated.body = value;
      else validated[location] = value as Record<string, unknown>;
    }
    if (details.length) throw new ValidationError('Request validation failed', details);
    req.validated = validated;
    next();
  };
}

// --- HTTP parameter pollution, decided per parameter ---------------------------------------
// The middleware above rejects a repeated parameter unless its schema is a `list()` — the one
// mechanism for every route, so route schemas declare scalars plainly. List parameters accept
// repeats and commas alike (`?tags=a&tags=b` ≡ `?tags=a,b`). `single()` states the scalar rule
// inside a schema, for a schema validated outside a request (a script, a job payload).

/** A query parameter that may appear at most once. */
export function single(schema: Joi.Schema): Joi.Schema {
  return Joi.alternatives().conditional(Joi.array(), {
    then: Joi.any()
      .forbidden()
      .messages({ 'any.unknown': '{{#label}} must be given once (repeated query parameters are rejected)' }),
    otherwise: schema,
  });
}

/**
 * Names the offending value, not its position: `fields=name,deletedAt` → `"deletedAt" is not
 * allowed (one of: …)` rather than joi's `"[1]" must be one of …`.
 */
function itemProblem(parts: readonly string[], error: Joi.ValidationError): string {
  const detail = error.details[0];
  if (!detail) return 'is invalid';
  const index = detail.path[0];
  const value = typeof index === 'number' ? parts[index] : undefined;
  if (value === undefined) return detail.message;
  const quoted = JSON.stringify(value);
  if (detail.type === 'any.only') {
    const valids = (detail.context?.valids as unknown[] | undefined) ?? [];
    return `${quoted} is not allowed${valids.length ? ` (one of: ${valids.join(', ')})` : ''}`;
  }
  return detail.message.replace(/^"?\[\d+\]"?/, quoted);
}

/** A list query parameter: repeated keys and comma-separated values both add items. */
export function list(item: Joi.Schema, options: { max: number }): Joi.Schema {
  const items = Joi.array().items(item);
  return Joi.any()
    .custom((value: unknown, helpers) => {
      const raw = ([] as unknown[]).concat(value);
      if (raw.some((v) => typeof v !== 'string')) return helpers.error('list.type');
      const parts = (raw as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      const { value: out, error } = items.validate(parts, { convert: true });
      if (error) return helpers.error('list.item', { reason: itemProblem(parts, error) });
      // De-duplicate after each item is normalized (so "A" and "a" count once), then bound the count.
      const unique = [...new Set(out as unknown[])];
      if (unique.length > options.max) return helpers.error('list.max', { limit: options.max });
      return unique;
    })
    // The item schema rides along so the OpenAPI generator documents the parameter as an array of it.
    .meta({ ...LIST_META, listItem: { item: item.describe(), max: options.max } })
    .messages({
      'list.type': '{{#label}} must be a comma-separated list',
      'list.item': '{{#label}}: {{#reason}}',
      'list.max': '{{#label}} takes at most {{#limit}} values',
    });
}

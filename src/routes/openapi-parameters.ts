// The parameters of an OpenAPI operation, from a route's params/query/headers joi schemas:
// path parameters (declared or not), documented-required headers, opaque tokens, sibling bounds
// and groups of query parameters that exclude each other.
import type Joi from 'joi';
import { toJsonSchema, type JsonSchema, type SharedSchemas } from './joi-schema';
import type { RouteDefinition } from './route-table';

export function pathParamNames(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

interface JoiKey {
  whens?: { then?: { rules?: { args?: Record<string, unknown> }[] } }[];
}

/**
 * `maxPrice` ≥ `minPrice`, `to` after `from`: a bound taken from a sibling parameter (joi
 * `Joi.when(sibling, { then: x.min(Joi.ref(sibling)) })`) has no JSON Schema form, so the parameter
 * carries `x-minimum-parameter: <sibling>` (and says so in its description).
 */
function siblingLowerBounds(keys: Record<string, JoiKey>): Record<string, string> {
  const bounds: Record<string, string> = {};
  for (const [name, key] of Object.entries(keys)) {
    for (const rule of key.whens?.[0]?.then?.rules ?? []) {
      for (const arg of Object.values(rule.args ?? {})) {
        const path = (arg as { ref?: { path?: string[] } } | null)?.ref?.path;
        if (path?.length === 1) bounds[name] = path[0]!;
      }
    }
  }
  return bounds;
}

function parametersFrom(location: 'path' | 'query' | 'header', schema: Joi.ObjectSchema | undefined, shared: SharedSchemas): Record<string, unknown>[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, shared);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  // A parameter validation lets pass but the handler insists on (If-Match → 428) is documented required.
  const keys = (schema.describe().keys ?? {}) as Record<string, { metas?: Record<string, unknown>[] }>;
  for (const [name, key] of Object.entries(keys)) if (key.metas?.some((meta) => meta.documentedRequired === true)) required.add(name);
  // An opaque token (a signed cursor) has a syntax but only the server can make a valid one.
  const lowerBounds = siblingLowerBounds(keys as Record<string, JoiKey>);
  const opaque = new Set(Object.entries(keys).filter(([, key]) => key.metas?.some((meta) => meta.opaque === true)).map(([name]) => name));
  return Object.entries(properties).map(([name, property]) => {
    const { description, examples, ...rest } = property as JsonSchema & { description?: string; examples?: unknown[] };
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
      ...(examples && examples.length ? { example: examples[0] } : {}),
      ...(opaque.has(name) ? { 'x-opaque': true } : {}),
      ...(lowerBounds[name] ? { 'x-minimum-parameter': lowerBounds[name] } : {}),
    };
  });
}

/**
 * Query parameters that may not be sent together (joi `oxor`/`nand` on the query object, or an
 * `exclusiveParameters` meta where a service enforces it), which a
 * list of single parameters cannot express: `x-exclusive-parameters` lists each such group, and
 * the contract fuzzer honours it.
 */
export function exclusiveParameters(route: RouteDefinition): string[][] {
  const description = route.validate?.query?.describe() ?? {};
  const dependencies = (description.dependencies ?? []) as { rel: string; peers: string[] }[];
  const declared = ((description.metas ?? []) as { exclusiveParameters?: string[][] }[]).flatMap((meta) => meta.exclusiveParameters ?? []);
  return [...dependencies.filter((d) => d.rel === 'oxor' || d.rel === 'nand').map((d) => [...d.peers]), ...declared];
}


export function parameters(route: RouteDefinition, shared: SharedSchemas): Record<string, unknown>[] {
  const declared = parametersFrom('path', route.validate?.params, shared);
  // A path parameter without a params schema is still documented (as a string).
  const undeclared = pathParamNames(route.path)
    .filter((name) => !declared.some((p) => p.name === name))
    .map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  return [...declared, ...undeclared, ...parametersFrom('query', route.validate?.query, shared), ...parametersFrom('header', route.validate?.headers, shared)];
}

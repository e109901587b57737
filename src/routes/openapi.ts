// Builds the OpenAPI 3.1 document from the route declarations — the same entries that drive the
// router and validation — so nothing about an endpoint is written twice. joi schemas become JSON
// Schema through joi-to-json (see joi-schema.ts).
import { toJsonSchema, type SharedSchemas } from './joi-schema';
import { exclusiveParameters, parameters, pathParamNames } from './openapi-parameters';
import { fullPath, type RouteDefinition, type RoutePostmanHints, type RouteResponse, type SecurityScheme } from './route-table';
import {
  ERROR_DETAIL_SCHEMA,
  ERROR_SCHEMA,
  MODULE_TAGS,
  REQUEST_ID_HEADER,
  SECURITY_SCHEMES,
  SHARED_HEADERS,
  STANDARD_ERRORS,
  errorExample,
  standardResponses,
} from './openapi-components';

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly servers: readonly { url: string; description: string }[];
}

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, Operation>> };

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  deprecated?: boolean;
  security: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  requestBody?: Record<string, unknown>;
  responses: Record<string, unknown>;
  /** Hints for the generated Postman collection (captures, expected status); see RoutePostmanHints. */
  'x-postman'?: RoutePostmanHints;
  /** The roles allowed, when access is a role list (machine-readable twin of the description). */
  'x-roles'?: string[];
  /** Groups of query parameters that may not be combined (see exclusiveParameters). */
  'x-exclusive-parameters'?: string[][];
}

/** Express `/products/:id` → OpenAPI `/products/{id}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationId(route: RouteDefinition): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `By-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}


function successContent(status: number, response: RouteResponse, shared: SharedSchemas): Record<string, unknown> | undefined {
  if (status === 204) return undefined;
  const data = response.schema ? toJsonSchema(response.schema, shared) : {};
  if (response.contentType && !/json/.test(response.contentType)) {
    return { [response.contentType]: { schema: response.schema ? data : { type: 'string' }, ...(response.example !== undefined ? { example: response.example } : {}) } };
  }
  if (response.raw) {
    return { 'application/json': { schema: response.schema ? data : { type: 'object' }, ...(response.example !== undefined ? { example: response.example } : {}) } };
  }
  const envelope = {
    type: 'object',
    required: ['success', 'data'],
    properties: { success: { type: 'boolean', const: true }, data, meta: { type: 'object', additionalProperties: true } },
  };
  const example = response.example !== undefined ? { success: true, data: response.example } : undefined;
  return { 'application/json': { schema: envelope, ...(example ? { example } : {}) } };
}

/** Error statuses an operation can answer with, derived from what the route declares. */
export function impliedErrorStatuses(route: RouteDefinition): number[] {
  const statuses = new Set<number>([400, 429, 500, 503]); // every route validates, is rate limited and may lose its database
  if (route.access !== 'public') statuses.add(401);
  if (Array.isArray(route.access)) statuses.add(403);
  if (pathParamNames(route.path).length) statuses.add(404);
  if (route.validate?.body || route.upload || route.rawBody) statuses.add(413);
  if (route.upload) statuses.add(415);
  for (const status of route.errors ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

function errorResponse(status: number, path: string, declared?: RouteResponse): Record<string, unknown> {
  const standard = STANDARD_ERRORS[status];
  if (standard && !declared) return { $ref: `#/components/responses/${standard.name}` };
  const example =
    declared?.example ?? { ...errorExample(declared?.code ?? standard?.code ?? 'ERROR', declared?.description ?? standard?.message ?? 'Error'), path };
  return {
    description: declared?.description ?? `Error ${status}`,
    headers: REQUEST_ID_HEADER,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' }, example } },
  };
}

/** The shared responses some operation refers to: the document declares no component it never uses. */
function referencedOnly(components: Record<string, unknown>, paths: unknown): Record<string, unknown> {
  const text = JSON.stringify(paths);
  return Object.fromEntries(Object.entries(components).filter(([name]) => text.includes(`"#/components/responses/${name}"`)));
}

function responses(route: RouteDefinition, shared: SharedSchemas): Record<string, unknown> {
  const declared = route.responses ?? {};
  const out: Record<string, unknown> = {};
  const statuses = new Set([...Object.keys(declared).map(Number), ...impliedErrorStatuses(route)]);
  if (![...statuses].some((s) => s < 400)) statuses.add(200);
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const response = declared[status];
    if (status >= 400) out[status] = errorResponse(status, fullPath(route), response);
    else {
      const content = successContent(status, response ?? { description: 'Success' }, shared);
      out[status] = { description: response?.description ?? 'Success', headers: REQUEST_ID_HEADER, ...(content ? { content } : {}) };
    }
  }
  return out;
}

function security(route: RouteDefinition): Record<string, string[]>[] {
  const named = (schemes: readonly SecurityScheme[]) => schemes.map((scheme) => ({ [scheme]: [] as string[] }));
  // A public route naming schemes takes them as alternatives to none (loopback /metrics, refresh token in the body).
  if (route.security) return [...named(route.security), ...(route.access === 'public' ? [{}] : [])];
  if (route.access === 'public') return [];
  if (route.access === 'optional') return [{ bearerAuth: [] }, {}];
  return named(['bearerAuth']);
}

function describeAccess(route: RouteDefinition): string {
  if (route.security) return `Access: ${route.security.join(' or ')}${route.access === 'public' ? ', or none' : ''} (see security).`;
  if (route.access === 'public') return 'Access: public.';
  if (route.access === 'optional') return 'Access: public; a bearer token, when sent, is honoured.';
  if (route.access === 'authenticated') return 'Access: any authenticated account.';
  return `Access: roles ${route.access.join(', ')}.`;
}

/** A form with the one file and the text fields of the body schema. */
function multipartBody(route: RouteDefinition & { upload: NonNullable<RouteDefinition['upload']> }, shared: SharedSchemas): Record<string, unknown> {
  const { upload } = route;
  const fields = route.validate?.body ? toJsonSchema(route.validate.body, shared) : {};
  const file = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream', description: upload.description };
  const schema = {
    type: 'object',
    required: [upload.field, ...((fields.required as string[] | undefined) ?? [])],
    properties: { [upload.field]: file, ...((fields.properties as Record<string, unknown> | undefined) ?? {}) },
    additionalProperties: false,
  };
  // The file part is binary; the example names it so the example satisfies the schema's `required`.
  const example = route.requestExample === undefined ? undefined : { [upload.field]: '(binary image file)', ...(route.requestExample as Record<string, unknown>) };
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema,
        encoding: { [upload.field]: { contentType: upload.accept.join(', ') } },
        ...(example !== undefined ? { example } : {}),
      },
    },
  };
}

function requestBody(route: RouteDefinition, shared: SharedSchemas): Record<string, unknown> | undefined {
  if (route.upload) return multipartBody({ ...route, upload: route.upload }, shared);
  if (route.rawBody) {
    const example = route.requestExample === undefined ? {} : { example: route.requestExample };
    return { required: true, description: route.rawBody.description, content: { [route.rawBody.contentType]: { schema: { type: 'object', additionalProperties: true }, ...example } } };
  }
  const body = route.validate?.body;
  if (!body) return undefined;
  const schema = toJsonSchema(body, shared);
  const example = route.requestExample ?? (schema.examples as unknown[] | undefined)?.[0];
  return {
    required: body.$_getFlag('presence') !== 'optional',
    content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } },
  };
}

/** One operation; named joi schemas it uses are collected into `shared` (components.schemas). */
export function buildOperation(route: RouteDefinition, shared: SharedSchemas = {}): Operation {
  const params = parameters(route, shared);
  const body = requestBody(route, shared);
  const exclusive = exclusiveParameters(route);
  return {
    operationId: operationId(route),
    summary: route.summary,
    description: [route.description, describeAccess(route)].filter(Boolean).join('\n\n'),
    tags: [...route.tags],
    ...(route.deprecated ? { deprecated: true } : {}),
    security: security(route),
    ...(params.length ? { parameters: params } : {}),
    ...(exclusive.length ? { 'x-exclusive-parameters': exclusive } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(route, shared),
    ...(route.postman ? { 'x-postman': route.postman } : {}),
    ...(Array.isArray(route.access) ? { 'x-roles': [...route.access] } : {}),
  };
}

function tags(routes: readonly RouteDefinition[]): { name: string; description?: string }[] {
  const used = new Set(routes.flatMap((r) => r.tags));
  const known = MODULE_TAGS.filter((t) => used.has(t.name));
  const other = [...used].filter((name) => !MODULE_TAGS.some((t) => t.name === name)).sort();
  return [...known, ...other.map((name) => ({ name }))];
}

/** The whole document; paths appear in declaration order. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], options: OpenApiOptions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const shared: SharedSchemas = {};
  for (const route of routes) {
    const path = toOpenApiPath(fullPath(route));
    paths[path] ??= {};
    paths[path][route.method] = buildOperation(route, shared);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      description: options.description ?? '',
    },
    servers: options.servers.map((s) => ({ ...s })),
    tags: tags(routes),
    paths,
    components: {
      schemas: { ...shared, ErrorResponse: ERROR_SCHEMA, ErrorDetail: ERROR_DETAIL_SCHEMA },
      responses: referencedOnly(standardResponses(), paths),
      headers: SHARED_HEADERS,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

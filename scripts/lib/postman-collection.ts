// OpenAPI document → Postman collection (v2.1). Data-driven: folders come from tags in
// FOLDER_ORDER, path parameters become folder-level variables, tokens and created ids are
// captured into the environment by test scripts, so new modules slot in without edits here.
import type { OpenApiDocument, Operation } from '../../src/routes/openapi';
import { addStaffLogins, isStaffOnly, staffTokenFor } from './postman-staff';
import { preRequestScript, testScript, variableFor } from './postman-scripts';

export { capturesFor, variableFor } from './postman-scripts';

/** Run order of the end-to-end collection: sign in, then catalogue, then orders, then back-office. */
export const FOLDER_ORDER = ['Auth', 'Accounts', 'Products', 'Categories', 'Orders', 'Admin', 'Ops'] as const;
export const COLLECTION_NAME = 'commerce-api';
const COLLECTION_ID = 'b8f0c5d2-6a1e-4c3b-9f7d-2e5a8c4d1f60';
const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const PLACEHOLDER_ID = '000000000000000000000000';

type Json = Record<string, unknown>;
interface Variable {
  key: string;
  value: string;
  type?: string;
  description?: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function exampleFor(schema: Json | undefined, example?: unknown): string {
  if (example !== undefined) return String(example);
  if (!schema) return 'example';
  const examples = schema.examples as unknown[] | undefined;
  if (examples?.length) return String(examples[0]);
  if (schema.default !== undefined) return String(schema.default);
  if (Array.isArray(schema.enum) && schema.enum.length) return String(schema.enum[0]);
  if (schema.type === 'integer' || schema.type === 'number') return String(schema.minimum ?? 1);
  if (schema.maxLength === 24 && schema.minLength === 24) return PLACEHOLDER_ID;
  return 'example';
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
  example?: unknown;
  description?: string;
}

function authFor(op: Operation): Json | undefined {
  const schemes = op.security.flatMap((s) => Object.keys(s));
  if (!schemes.length || schemes.every((s) => s === 'refreshCookie')) return { type: 'noauth' };
  if (schemes.includes('metricsToken')) return { type: 'bearer', bearer: [{ key: 'token', value: '{{metricsToken}}', type: 'string' }] };
  if (isStaffOnly(op)) return { type: 'bearer', bearer: [{ key: 'token', value: `{{${staffTokenFor(op)}}}`, type: 'string' }] };
  return undefined; // inherit the collection's bearer {{accessToken}}
}

/** The example body with the route's Postman substitutions (`items.0.productId` → `{{productId}}`). */
function postmanBody(example: unknown, substitutions: Readonly<Record<string, string>> = {}): unknown {
  const body = structuredClone(example ?? {}) as Json;
  for (const [path, value] of Object.entries(substitutions)) {
    const keys = path.split('.');
    let target = body as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[keys[keys.length - 1]!] = value;
  }
  return body;
}

/** Query or header entries: hinted ones are sent with the hinted value, required ones with an example, the rest listed disabled. */
function entries(params: Parameter[], hints: Readonly<Record<string, string>> = {}): Json[] {
  const hinted = new Map(Object.entries(hints).map(([key, value]) => [key.toLowerCase(), { key, value }]));
  const out: Json[] = params.map((p) => {
    const hint = hinted.get(p.name.toLowerCase());
    hinted.delete(p.name.toLowerCase());
    if (hint) return { key: hint.key, value: hint.value, ...(p.description ? { description: p.description } : {}) };
    return { key: p.name, value: exampleFor(p.schema, p.example), ...(p.required ? {} : { disabled: true }), ...(p.description ? { description: p.description } : {}) };
  });
  return [...out, ...[...hinted.values()]];
}

/**
 * Form fields for a multipart body: binary properties become file fields pointing at
 * SAMPLE_UPLOAD_FILE (a committed image, resolved against Newman's working directory — the project
 * root when the README's `npx newman run …` is used; in the Postman app, pick a file), the others
 * text fields with the example's values.
 */
export const SAMPLE_UPLOAD_FILE = 'postman/sample-upload.png';

function formData(schema: Json, example: Json): Json[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  return Object.entries(properties).map(([key, property]) => {
    const description = typeof property.description === 'string' ? { description: property.description } : {};
    if (property.format === 'binary') return { key, type: 'file', src: SAMPLE_UPLOAD_FILE, ...description };
    const value = example[key];
    return { key, type: 'text', value: value === undefined ? '' : String(value), ...(value === undefined ? { disabled: true } : {}), ...description };
  });
}

function request(path: string, method: string, op: Operation, folderVars: Map<string, string>): Json {
  const params = (op.parameters ?? []) as unknown as Parameter[];
  const hints = op['x-postman'] ?? {};
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      // A parameter may carry a literal suffix in its segment (`/reports/{day}.csv`).
      const match = /^\{([^{}]+)\}([^{}]*)$/.exec(segment);
      if (!match) return segment;
      const variable = variableFor(path, match[1]!);
      const param = params.find((p) => p.in === 'path' && p.name === match[1]);
      if (!folderVars.has(variable)) folderVars.set(variable, exampleFor(param?.schema, param?.example));
      return `{{${variable}}}${match[2]}`;
    });
  const query = entries(params.filter((p) => p.in === 'query'), hints.query);
  const header: Json[] = [{ key: 'Accept', value: 'application/json' }, ...entries(params.filter((p) => p.in === 'header'), hints.headers)];
  const content = op.requestBody?.content as Record<string, { example?: unknown; schema?: Json }> | undefined;
  const body = content?.['application/json'];
  if (body) header.push({ key: 'Content-Type', value: 'application/json' });
  // Postman sets the multipart Content-Type (with its boundary) itself for a form-data body.
  const form = content?.['multipart/form-data'];
  const auth = authFor(op);
  const queryString = query.filter((q) => !('disabled' in q)).map((q) => `${String(q.key)}=${String(q.value)}`).join('&');
  return {
    method: method.toUpperCase(),
    header,
    ...(auth ? { auth } : {}),
    url: {
      raw: `{{baseUrl}}/${segments.join('/')}${queryString ? `?${queryString}` : ''}`,
      host: ['{{baseUrl}}'],
      path: segments,
      ...(query.length ? { query } : {}),
    },
    ...(body ? { body: { mode: 'raw', raw: JSON.stringify(postmanBody(body.example, hints.body), null, 2), options: { raw: { language: 'json' } } } } : {}),
    ...(form ? { body: { mode: 'formdata', formdata: formData(form.schema ?? {}, postmanBody(form.example, hints.body) as Json) } } : {}),
    description: [
      op.description ?? '',
      hints.skipUnlessSet ? `Skipped until the ${hints.skipUnlessSet.variable} variable is set: ${hints.skipUnlessSet.why}` : '',
      hints.orError ? `Also accepted: ${hints.orError.status} ${hints.orError.code} when ${hints.orError.when}.` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
  };
}

function folderRank(name: string): number {
  const index = (FOLDER_ORDER as readonly string[]).indexOf(name);
  return index === -1 ? FOLDER_ORDER.length : index;
}

/**
 * Newman does not resolve folder-level variables, so each folder's pre-request script applies its
 * path-parameter defaults as collection variables: a value captured into the environment outranks them.
 */
function folderDefaultsScript(variables: Map<string, string>): Json {
  return {
    listen: 'prerequest',
    script: {
      type: 'text/javascript',
      exec: [
        `const defaults = ${JSON.stringify(Object.fromEntries(variables))};`,
        // Collection scope ranks below the environment, so a captured value is never shadowed.
        'Object.keys(defaults).forEach(function (key) { pm.collectionVariables.set(key, defaults[key]); });',
      ],
    },
  };
}

export function buildCollection(document: OpenApiDocument): Json {
  const folders = new Map<string, { items: Json[]; variables: Map<string, string> }>();
  for (const [path, operations] of Object.entries(document.paths)) {
    // Methods of one path in declaration order: the route list is also the run order.
    for (const [method, op] of Object.entries(operations)) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      const folder = op.tags[0] ?? 'Other';
      if (!folders.has(folder)) folders.set(folder, { items: [], variables: new Map() });
      const entry = folders.get(folder)!;
      entry.items.push({
        name: op.summary,
        event: [...preRequestScript(op), { listen: 'test', script: { type: 'text/javascript', exec: testScript(op, method, path) } }],
        request: request(path, method, op, entry.variables),
      });
    }
  }
  const auth = folders.get('Auth');
  if (auth) addStaffLogins(auth.items, Object.values(document.paths).flatMap((ops) => Object.values(ops).filter(isStaffOnly).map(staffTokenFor)));
  const tagDescriptions = new Map(((document.tags ?? []) as { name: string; description?: string }[]).map((t) => [t.name, t.description ?? '']));
  const ordered = [...folders.entries()].sort(([a], [b]) => folderRank(a) - folderRank(b) || a.localeCompare(b));
  const info = document.info as { version: string; description?: string };
  return {
    info: { _postman_id: COLLECTION_ID, name: COLLECTION_NAME, description: `${info.description ?? ''}\n\nGenerated from the OpenAPI document (v${info.version}) by \`npm run postman:generate\`; do not edit by hand.`, schema: SCHEMA },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
    variable: [{ key: 'baseUrl', value: 'http://localhost:3000', type: 'string', description: 'Overridden by the environment files.' }],
    item: ordered.map(([name, { items, variables }]) => ({
      name,
      description: tagDescriptions.get(name) ?? '',
      variable: [
        { key: 'module', value: name, type: 'string' },
        ...[...variables.entries()].map(([key, value]): Variable => ({ key, value, type: 'string', description: 'Path parameter default; a create request in this folder stores the real id in the environment.' })),
      ],
      ...(variables.size ? { event: [folderDefaultsScript(variables)] } : {}),
      item: items,
    })),
  };
}

/**
 * Variables every environment file declares: whatever the collection references or captures but
 * does not define itself (values empty: tokens are captured at run time, never committed).
 */
export function environmentVariables(collection: Json): string[] {
  const text = JSON.stringify(collection);
  const defined = new Set<string>();
  for (const match of text.matchAll(/\{"key":"([A-Za-z0-9_]+)","value":"[^"]*","type":"string"/g)) defined.add(match[1]!);
  const names = new Set(['accessToken', 'refreshToken']);
  for (const match of text.matchAll(/\{\{([A-Za-z0-9_]+)\}\}/g)) if (!defined.has(match[1]!)) names.add(match[1]!);
  for (const match of text.matchAll(/pm\.environment\.set\(\\"([A-Za-z0-9_]+)\\"/g)) names.add(match[1]!);
  names.delete('baseUrl');
  return [...names].sort();
}

/** `presets`: values committed with the environment (the local one carries the development demo accounts). */
export function buildEnvironment(name: string, baseUrl: string, variables: readonly string[], presets: Readonly<Record<string, string>> = {}): Json {
  const secret = (key: string) => /token|password/i.test(key);
  return {
    id: `commerce-api-${name}`,
    name: `commerce-api ${name}`,
    values: [
      { key: 'baseUrl', value: baseUrl, type: 'default', enabled: true },
      ...variables.map((key) => ({ key, value: presets[key] ?? '', type: secret(key) ? 'secret' : 'default', enabled: true })),
    ],
    _postman_variable_scope: 'environment',
  };
}

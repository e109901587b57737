// OpenAPI document → Postman collection (v2.1). Data-driven: folders come from tags in
// FOLDER_ORDER, path parameters become folder-level variables, tokens and created ids are
// captured into the environment by test scripts, so new modules slot in without edits here.
import type { OpenApiDocument, Operation } from '../../src/routes/openapi';
import { addStaffLogin, isStaffOnly, STAFF_TOKEN } from './postman-staff';

/** Run order of the end-to-end collection: sign in, then catalogue, then orders, then back-office. */
export const FOLDER_ORDER = ['Auth', 'Accounts', 'Products', 'Orders', 'Admin', 'Ops'] as const;
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

function singular(word: string): string {
  return word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.endsWith('s') ? word.slice(0, -1) : word;
}

/** `:id` in folder Products → `productId`; any other name (`:productId`, `:jobId`) is kept. */
export function variableFor(folder: string, param: string): string {
  return param === 'id' ? `${singular(folder.charAt(0).toLowerCase() + folder.slice(1))}Id` : param;
}

function exampleFor(schema: Json | undefined): string {
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

function successStatus(op: Operation): number {
  const hinted = op['x-postman']?.expectStatus;
  if (hinted) return hinted;
  return Number(Object.keys(op.responses).find((s) => Number(s) < 400) ?? 200);
}

function successContent(op: Operation, status: number): { type: string; schema: Json } | undefined {
  const content = (op.responses[String(status)] as { content?: Record<string, { schema?: Json }> } | undefined)?.content;
  const [type, media] = Object.entries(content ?? {})[0] ?? [];
  return type ? { type, schema: media?.schema ?? {} } : undefined;
}

/** Values to store after success: explicit hints, else tokens and the id of something just created. */
export function capturesFor(op: Operation, method: string, folder: string): Record<string, string> {
  const explicit = op['x-postman']?.captures;
  if (explicit) return { ...explicit };
  const status = successStatus(op);
  const content = successContent(op, status);
  const data = ((content?.schema.properties as Json | undefined)?.data ?? {}) as Json;
  const fields = Object.keys((data.properties as Json | undefined) ?? {});
  const captures: Record<string, string> = {};
  for (const token of ['accessToken', 'refreshToken']) if (fields.includes(token)) captures[token] = `data.${token}`;
  if (method === 'post' && status === 201 && fields.includes('id')) captures[variableFor(folder, 'id')] = 'data.id';
  return captures;
}

function testScript(op: Operation, method: string, folder: string): string[] {
  const status = successStatus(op);
  const content = successContent(op, status);
  const lines = [`pm.test('status is ${status}', function () { pm.response.to.have.status(${status}); });`];
  const enveloped = content?.type === 'application/json' && (content.schema.properties as Json | undefined)?.success !== undefined;
  if (enveloped) {
    lines.push(
      "pm.test('success envelope { success: true, data }', function () {",
      '  const body = pm.response.json();',
      '  pm.expect(body.success).to.eql(true);',
      "  pm.expect(body).to.have.property('data');",
      '});',
    );
  } else if (content?.type === 'application/json') {
    lines.push("pm.test('JSON body', function () { pm.expect(pm.response.json()).to.be.an('object'); });");
  } else if (content) {
    lines.push(`pm.test('${content.type.split(';')[0]} body', function () { pm.expect(pm.response.text()).to.not.be.empty; });`);
  }
  lines.push("pm.test('X-Request-ID is echoed', function () { pm.response.to.have.header('X-Request-ID'); });");
  const captures = capturesFor(op, method, folder);
  if (Object.keys(captures).length) {
    lines.push(`if (pm.response.code === ${status}) {`, '  const body = pm.response.json();');
    for (const [variable, path] of Object.entries(captures)) {
      const access = path.split('.').map((key) => `[${JSON.stringify(key)}]`).join('');
      lines.push(`  pm.environment.set(${JSON.stringify(variable)}, String(body${access}));`);
    }
    lines.push('}');
  }
  return lines;
}

function authFor(op: Operation): Json | undefined {
  const schemes = op.security.flatMap((s) => Object.keys(s));
  if (!schemes.length || schemes.every((s) => s === 'refreshCookie')) return { type: 'noauth' };
  if (schemes.includes('metricsToken')) return { type: 'bearer', bearer: [{ key: 'token', value: '{{metricsToken}}', type: 'string' }] };
  if (isStaffOnly(op)) return { type: 'bearer', bearer: [{ key: 'token', value: `{{${STAFF_TOKEN}}}`, type: 'string' }] };
  return undefined; // inherit the collection's bearer {{accessToken}}
}

function request(path: string, method: string, op: Operation, folder: string, folderVars: Map<string, string>): Json {
  const params = (op.parameters ?? []) as unknown as Parameter[];
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const match = /^\{(.+)\}$/.exec(segment);
      if (!match) return segment;
      const variable = variableFor(folder, match[1]!);
      const param = params.find((p) => p.in === 'path' && p.name === match[1]);
      folderVars.set(variable, exampleFor(param?.schema));
      return `{{${variable}}}`;
    });
  const query = params
    .filter((p) => p.in === 'query')
    .map((p) => ({ key: p.name, value: exampleFor(p.schema), ...(p.required ? {} : { disabled: true }), ...(p.description ? { description: p.description } : {}) }));
  const header: Json[] = [{ key: 'Accept', value: 'application/json' }];
  for (const p of params.filter((p) => p.in === 'header')) header.push({ key: p.name, value: exampleFor(p.schema), ...(p.required ? {} : { disabled: true }) });
  const body = (op.requestBody?.content as Record<string, { example?: unknown }> | undefined)?.['application/json'];
  if (body) header.push({ key: 'Content-Type', value: 'application/json' });
  const auth = authFor(op);
  const queryString = query.filter((q) => !('disabled' in q)).map((q) => `${q.key}=${q.value}`).join('&');
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
    ...(body ? { body: { mode: 'raw', raw: JSON.stringify(body.example ?? {}, null, 2), options: { raw: { language: 'json' } } } } : {}),
    description: op.description ?? '',
  };
}

function skipScript(op: Operation): Json[] {
  if (!op['x-postman']?.skipInRun) return [];
  // The end-to-end runner sets e2e=1; people running the collection by hand still get the request.
  return [{ listen: 'prerequest', script: { type: 'text/javascript', exec: ["if (pm.environment.get('e2e') === '1') { pm.execution.skipRequest(); }"] } }];
}

function folderRank(name: string): number {
  const index = (FOLDER_ORDER as readonly string[]).indexOf(name);
  return index === -1 ? FOLDER_ORDER.length : index;
}

export function buildCollection(document: OpenApiDocument): Json {
  const folders = new Map<string, { items: Json[]; variables: Map<string, string> }>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = operations[method];
      if (!op) continue;
      const folder = op.tags[0] ?? 'Other';
      if (!folders.has(folder)) folders.set(folder, { items: [], variables: new Map() });
      const entry = folders.get(folder)!;
      entry.items.push({
        name: op.summary,
        event: [...skipScript(op), { listen: 'test', script: { type: 'text/javascript', exec: testScript(op, method, folder) } }],
        request: request(path, method, op, folder, entry.variables),
      });
    }
  }
  const auth = folders.get('Auth');
  if (auth && Object.values(document.paths).some((ops) => Object.values(ops).some(isStaffOnly))) addStaffLogin(auth.items);
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

export function buildEnvironment(name: string, baseUrl: string, variables: readonly string[]): Json {
  return {
    id: `commerce-api-${name}`,
    name: `commerce-api ${name}`,
    values: [
      { key: 'baseUrl', value: baseUrl, type: 'default', enabled: true },
      ...variables.map((key) => ({ key, value: '', type: key.toLowerCase().includes('token') ? 'secret' : 'default', enabled: true })),
    ],
    _postman_variable_scope: 'environment',
  };
}

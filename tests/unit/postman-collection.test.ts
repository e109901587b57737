// The Postman collection is generated from the OpenAPI document: folders per module in run order,
// folder-level variables for path parameters, auth through variables, captures, and test scripts.
import fs from 'node:fs';
import path from 'node:path';
import Joi from 'joi';
import { DEMO_ACCOUNTS } from '../../src/services/account.seed';
import { buildOpenApiDocument } from '../../src/routes/openapi';
import type { RouteDefinition } from '../../src/routes/route-table';
import { canonicalOpenApiDocument, generateArtifacts, staleArtifacts } from '../../scripts/lib/artifacts';
import { buildCollection, buildEnvironment, environmentVariables, variableFor } from '../../scripts/lib/postman-collection';

const noop: RouteDefinition['handler'] = (_req, res) => void res.end();
const routes: RouteDefinition[] = [
  { method: 'get', path: '/health', mount: 'root', summary: 'Liveness', tags: ['Ops'], access: 'public', handler: noop },
  {
    method: 'get',
    path: '/products/:id',
    summary: 'Get a product',
    tags: ['Products'],
    access: 'public',
    validate: { params: Joi.object({ id: Joi.string().hex().length(24) }), query: Joi.object({ fields: Joi.string(), limit: Joi.number().integer().min(1).required() }) },
    responses: { 200: { description: 'ok', schema: Joi.object({ id: Joi.string() }) } },
    handler: noop,
  },
  {
    method: 'post',
    path: '/products',
    summary: 'Create a product',
    tags: ['Products'],
    access: ['admin'],
    validate: { body: Joi.object({ name: Joi.string() }) },
    requestExample: { name: 'Lamp' },
    responses: { 201: { description: 'created', schema: Joi.object({ id: Joi.string(), name: Joi.string() }) } },
    handler: noop,
  },
  {
    method: 'patch',
    path: '/products/:id',
    summary: 'Change a product',
    tags: ['Products'],
    access: ['manager', 'admin'],
    validate: { params: Joi.object({ id: Joi.string().hex().length(24) }), headers: Joi.object({ 'if-match': Joi.string() }), body: Joi.object({ name: Joi.string(), sku: Joi.string() }) },
    requestExample: { name: 'Lamp', sku: 'LAMP-1' },
    postman: { headers: { 'If-Match': '{{productEtag}}' }, body: { sku: 'E2E-{{$timestamp}}' }, captures: { productEtag: 'header:ETag' } },
    handler: noop,
  },
  {
    method: 'post',
    path: '/admin/jobs/:id/retry',
    summary: 'Retry a job',
    tags: ['Admin'],
    access: ['admin'],
    validate: { params: Joi.object({ id: Joi.string().example('welcome:1') }) },
    postman: { expectStatus: 404, expectCode: 'JOB_NOT_FOUND' },
    handler: noop,
  },
  {
    method: 'post',
    path: '/auth/login',
    summary: 'Log in',
    tags: ['Auth'],
    access: 'public',
    validate: { body: Joi.object({ email: Joi.string().email(), password: Joi.string() }) },
    requestExample: { email: 'ada@example.com', password: 'correct horse battery staple' },
    responses: { 200: { description: 'tokens', schema: Joi.object({ accessToken: Joi.string(), refreshToken: Joi.string(), account: Joi.object() }) } },
    handler: noop,
  },
  {
    method: 'post',
    path: '/auth/register',
    summary: 'Register',
    tags: ['Auth'],
    access: 'public',
    validate: { body: Joi.object({ name: Joi.string(), email: Joi.string(), password: Joi.string() }) },
    requestExample: { name: 'Ada', email: 'ada@example.com', password: 'correct horse battery staple' },
    responses: { 201: { description: 'tokens', schema: Joi.object({ tokens: Joi.object({ accessToken: Joi.string() }) }) } },
    postman: { captures: { accessToken: 'data.tokens.accessToken' } },
    handler: noop,
  },
  { method: 'post', path: '/auth/logout', summary: 'Log out', tags: ['Auth'], access: 'authenticated', postman: { skipUnlessSet: { variable: 'logoutToken', why: 'consumes the session' }, expectStatus: 204 }, handler: noop },
];

type Item = { name: string; variable?: { key: string; value: string }[]; item: Request[] };
type Request = { name: string; event: { listen: string; script: { exec: string[] } }[]; request: Record<string, never> & { auth?: { type: string }; url: { raw: string; query?: { key: string; disabled?: boolean }[] }; body?: { raw: string } } };

const collection = buildCollection(buildOpenApiDocument(routes, { title: 't', version: '1.2.3', servers: [] })) as { item: Item[]; auth: unknown; variable: unknown[] };
const folder = (name: string) => collection.item.find((f) => f.name === name)!;
const script = (item: Request, listen = 'test') => item.event.find((e) => e.listen === listen)?.script.exec.join('\n') ?? '';

describe('Postman collection generator', () => {
  it('when modules are declared in any order, then folders follow the run order Auth → … → Ops', () => {
    expect(collection.item.map((f) => f.name)).toEqual(['Auth', 'Products', 'Admin', 'Ops']);
  });

  it('when a folder has path parameters, then they are folder-level variables used in the URL', () => {
    expect(folder('Products').variable).toEqual(
      expect.arrayContaining([{ key: 'module', value: 'Products', type: 'string' }, expect.objectContaining({ key: 'productId', value: '000000000000000000000000' })]),
    );
    const get = folder('Products').item.find((i) => i.name === 'Get a product')!;
    expect(get.request.url.raw).toBe('{{baseUrl}}/api/v1/products/{{productId}}?limit=1');
    expect(get.request.url.query).toEqual([expect.objectContaining({ key: 'fields', disabled: true }), expect.objectContaining({ key: 'limit', value: '1' })]);
    expect(variableFor('/api/v1/orders/{id}/cancel', 'id')).toBe('orderId');
    expect(variableFor('/api/v1/admin/jobs/{id}/retry', 'id')).toBe('jobId');
    expect(variableFor('/api/v1/orders/{id}/lines/{lineId}', 'lineId')).toBe('lineId');
  });

  it('when login returns tokens, then its test script stores them into the environment; a create stores the new id', () => {
    const login = folder('Auth').item.find((i) => i.name === 'Log in')!;
    expect(script(login)).toContain('pm.environment.set("accessToken", String(body["data"]["accessToken"]));');
    expect(script(login)).toContain('pm.environment.set("refreshToken", String(body["data"]["refreshToken"]));');
    const create = folder('Products').item.find((i) => i.name === 'Create a product')!;
    expect(script(create)).toContain('pm.environment.set("productId", String(body["data"]["id"]));');
    expect(JSON.parse(create.request.body!.raw)).toEqual({ name: 'Lamp' });
  });

  it('when requests are generated, then each asserts its status, the envelope and the request id', () => {
    const create = folder('Products').item.find((i) => i.name === 'Create a product')!;
    expect(script(create)).toContain('pm.response.to.have.status(201)');
    expect(script(create)).toContain('pm.expect(body.success).to.eql(true);');
    expect(script(create)).toContain("pm.response.to.have.header('X-Request-ID')");
    const logout = folder('Auth').item.find((i) => i.name === 'Log out')!;
    expect(script(logout)).toContain('pm.response.to.have.status(204)');
    expect(script(logout, 'prerequest')).toContain('pm.execution.skipRequest()');
  });

  it('when a route is public, then it sends no auth; protected routes inherit the collection bearer {{accessToken}}', () => {
    expect(collection.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] });
    expect(folder('Ops').item[0]!.request.auth).toEqual({ type: 'noauth' });
    expect(folder('Auth').item.find((i) => i.name === 'Log out')!.request.auth).toBeUndefined();
  });

  it('when staff-only routes exist, then each signs in as the least privileged role allowed, with logins generated after the sign-in request', () => {
    const patch = folder('Products').item.find((i) => i.name === 'Change a product')!;
    expect(patch.request.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{managerAccessToken}}', type: 'string' }] });
    const create = folder('Products').item.find((i) => i.name === 'Create a product')!;
    expect(create.request.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{adminAccessToken}}', type: 'string' }] });
    const names = folder('Auth').item.map((i) => i.name);
    // The register request also captures a token, but only the login has nothing but email and password.
    expect(names.slice(names.indexOf('Log in'), names.indexOf('Log in') + 3)).toEqual([
      'Log in',
      'Log in (manager, for staff-only requests)',
      'Log in (admin, for staff-only requests)',
    ]);
    const manager = folder('Auth').item[names.indexOf('Log in') + 1]!;
    expect(JSON.parse(manager.request.body!.raw)).toEqual({ email: '{{managerEmail}}', password: '{{managerPassword}}' });
    expect(script(manager)).toContain('pm.environment.set("managerAccessToken"');
    expect(script(manager)).not.toMatch(/set\("(accessToken|refreshToken)"/);
  });

  it('when a route carries Postman hints, then headers, body substitutions and header captures thread data through the run', () => {
    const patch = folder('Products').item.find((i) => i.name === 'Change a product')! as unknown as { request: { header: { key: string; value: string; disabled?: boolean }[]; body: { raw: string } } };
    expect(patch.request.header).toContainEqual({ key: 'If-Match', value: '{{productEtag}}' });
    expect(JSON.parse(patch.request.body.raw)).toEqual({ name: 'Lamp', sku: 'E2E-{{$timestamp}}' });
    expect(script(patch as unknown as Request)).toContain('pm.environment.set("productEtag", String(pm.response.headers.get("ETag")));');
  });

  it('when a route expects an error in the run, then its script asserts the error contract and the code, and captures nothing', () => {
    const retry = folder('Admin').item[0]!;
    expect(retry.request.url.raw).toBe('{{baseUrl}}/api/v1/admin/jobs/{{jobId}}/retry');
    expect(script(retry)).toContain('pm.response.to.have.status(404)');
    expect(script(retry)).toContain('pm.expect(body.code).to.eql("JOB_NOT_FOUND");');
    expect(script(retry)).not.toContain('body.success).to.eql(true)');
  });

  it('when a folder has path variables, then its pre-request script sets their defaults below the environment (Newman ignores folder variables)', () => {
    const admin = collection.item.find((f) => f.name === 'Admin') as unknown as { event: { script: { exec: string[] } }[] };
    const exec = admin.event[0]!.script.exec.join('\n');
    expect(exec).toContain('{"jobId":"welcome:1"}');
    expect(exec).toContain('pm.collectionVariables.set(key, defaults[key])');
  });

  it('when environments are built, then they list every captured variable with empty values (no secrets)', () => {
    const variables = environmentVariables(collection);
    expect(variables).toEqual([
      'accessToken',
      'adminAccessToken',
      'adminEmail',
      'adminPassword',
      'managerAccessToken',
      'managerEmail',
      'managerPassword',
      'productEtag',
      'productId',
      'refreshToken',
    ]);
    const env = buildEnvironment('prod', 'https://api.example.com', variables) as { values: { key: string; value: string }[] };
    expect(env.values[0]).toMatchObject({ key: 'baseUrl', value: 'https://api.example.com' });
    expect(env.values.slice(1).every((v) => v.value === '')).toBe(true);
  });
});

describe('the end-to-end story in the real collection', () => {
  // Values the runner or the person running it provides; everything else must be captured first.
  const INPUTS = ['baseUrl', 'resetToken', 'managerEmail', 'managerPassword', 'adminEmail', 'adminPassword', 'metricsToken'];
  type Folder = { name: string; variable: { key: string }[]; item: { name: string; event: { script: { exec: string[] } }[]; request: unknown }[] };
  const real = buildCollection(canonicalOpenApiDocument()) as unknown as { item: Folder[] };

  it('when requests run in collection order, then every variable a request uses was captured by an earlier request (or is an input)', () => {
    const defined = new Set(INPUTS);
    const missing: string[] = [];
    for (const folder of real.item) {
      const defaults = new Set(folder.variable.map((v) => v.key));
      for (const item of folder.item) {
        for (const [, name] of JSON.stringify(item.request).matchAll(/\{\{([A-Za-z0-9_]+)\}\}/g)) {
          if (!defined.has(name!) && !defaults.has(name!)) missing.push(`${folder.name} / ${item.name}: {{${name}}}`);
        }
        for (const [, name] of item.event.flatMap((e) => e.script.exec).join('\n').matchAll(/pm\.environment\.set\("([A-Za-z0-9_]+)"/g)) defined.add(name!);
      }
    }
    expect(missing).toEqual([]);
  });

  it('when a request waits for a value a person provides, then its declaration says why, and such requests stay rare', () => {
    const skipped = Object.values(canonicalOpenApiDocument().paths).flatMap((ops) => Object.values(ops).filter((op) => op['x-postman']?.skipUnlessSet));
    expect(skipped.map((op) => op.operationId)).toEqual(['postAuthPasswordReset']);
    for (const op of skipped) expect(op['x-postman']!.skipUnlessSet!.why.length).toBeGreaterThan(40);
  });

  it('when a request uses a variable, then its pre-request script fails it loudly while that variable is empty', () => {
    for (const folder of real.item) {
      for (const item of folder.item) {
        const pre = item.event.find((e) => (e as { listen?: string }).listen === 'prerequest')!.script.exec.join('\n');
        expect(pre).toContain("pm.test('variables this request uses are set: '");
        expect(pre).toContain('pm.execution.skipRequest()');
      }
    }
  });

  it('when the local environment is committed, then it carries the seeded demo staff accounts (development only) and no token', () => {
    const local = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'postman', 'local.postman_environment.json'), 'utf8')) as { values: { key: string; value: string }[] };
    const value = (key: string) => local.values.find((v) => v.key === key)?.value;
    for (const demo of DEMO_ACCOUNTS.filter((d) => d.role !== 'customer')) {
      expect(value(`${demo.role}Email`)).toBe(demo.email);
      expect(value(`${demo.role}Password`)).toBe(demo.password);
    }
    expect(local.values.filter((v) => /token/i.test(v.key)).every((v) => v.value === '')).toBe(true);
  });
});

describe('committed generated artifacts', () => {
  it('when compared with what the generators produce now, then docs/openapi.json and postman/* are up to date (run npm run docs:generate)', () => {
    expect(staleArtifacts()).toEqual([]);
  });

  it('when a committed file differs from the generator output, then the check names it', () => {
    const files = generateArtifacts();
    files['postman/commerce-api.postman_collection.json'] += ' ';
    expect(staleArtifacts(files)).toEqual(['postman/commerce-api.postman_collection.json']);
  });
});

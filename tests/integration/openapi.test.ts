// The OpenAPI document is generated from the route declarations: every declared route appears
// with its parameters, body, envelope and error responses, and the document validates.
import Joi from 'joi';
import request from 'supertest';
import { collectRoutes } from '../../src/routes';
import { buildOpenApiDocument, impliedErrorStatuses, toOpenApiPath, type OpenApiDocument, type Operation } from '../../src/routes/openapi';
import { fullPath, type RouteDefinition } from '../../src/routes/route-table';
import { createTestContext, type TestContext } from '../support/app';
import { registerAndLogin } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { validateOpenApi } from '../support/openapi';

const noop: RouteDefinition['handler'] = (_req, res) => void res.end();
const address = Joi.object({ line1: Joi.string().required(), zip: Joi.string().pattern(/^\d{5}$/) }).id('Address');

/** Routes exercising every mechanism, independent of which modules exist today. */
const sampleRoutes: RouteDefinition[] = [
  {
    method: 'get',
    path: '/widgets',
    summary: 'List widgets',
    tags: ['Products'],
    access: 'optional',
    validate: { query: Joi.object({ limit: Joi.number().integer().min(1).max(100).default(20), q: Joi.string().max(50) }) },
    responses: { 200: { description: 'A page', schema: Joi.array().items(Joi.object({ id: Joi.string() })), example: [{ id: 'w1' }] } },
    handler: noop,
  },
  {
    method: 'patch',
    path: '/widgets/:id',
    summary: 'Update a widget',
    tags: ['Products'],
    access: ['admin', 'manager'],
    validate: {
      params: Joi.object({ id: Joi.string().hex().length(24).required() }),
      headers: Joi.object({ 'if-match': Joi.string().required() }),
      body: Joi.object({ name: Joi.string().min(1).max(80).required(), shipTo: address, billTo: Joi.link('#Address') }).shared(address),
    },
    requestExample: { name: 'Blue widget' },
    errors: [409, 412],
    responses: {
      200: { description: 'Updated', schema: Joi.object({ id: Joi.string(), name: Joi.string() }) },
      412: { description: 'The widget changed since you read it', code: 'VERSION_MISMATCH' },
    },
    handler: noop,
  },
  { method: 'delete', path: '/widgets/:id', summary: 'Delete', tags: ['Products'], access: 'authenticated', responses: { 204: { description: 'Gone' } }, handler: noop },
];

const options = { title: 't', version: '1.0.0', servers: [{ url: 'https://api.example.com', description: 'prod' }] };

// One database for the whole file (the docs endpoints never touch it, but the app's services need a connection).
useTestDatabase();

describe('OpenAPI document from route declarations', () => {
  it('when built from sample routes, then it validates against the OpenAPI 3.1 schema', () => {
    const document = buildOpenApiDocument(sampleRoutes, options);
    expect(validateOpenApi(document)).toEqual({ valid: true, output: expect.stringMatching(/^valid: t 1\.0\.0 \(OpenAPI 3\.1\.0\), 2 paths/) });
  });

  it('when a route has :params, then the path is templated and each parameter documented from its joi schema', () => {
    const op = buildOpenApiDocument(sampleRoutes, options).paths['/api/v1/widgets/{id}']!.patch!;
    expect(op.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', minLength: 24, maxLength: 24 }) }),
        expect.objectContaining({ name: 'if-match', in: 'header', required: true }),
      ]),
    );
    expect(op.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { required: ['name'] }, example: { name: 'Blue widget' } } },
    });
  });

  it('when a route declares query, access and extra errors, then parameters, security and error refs follow', () => {
    const doc = buildOpenApiDocument(sampleRoutes, options);
    const list = doc.paths['/api/v1/widgets']!.get!;
    expect(list.parameters).toEqual([
      expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', maximum: 100, default: 20 }) }),
      expect.objectContaining({ name: 'q', in: 'query', required: false }),
    ]);
    expect(list.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(Object.keys(list.responses)).toEqual(['200', '400', '401', '429', '500', '503']);

    const patch = doc.paths['/api/v1/widgets/{id}']!.patch!;
    expect(patch.security).toEqual([{ bearerAuth: [] }]);
    expect(patch.description).toMatch(/roles admin, manager/);
    expect(Object.keys(patch.responses)).toEqual(['200', '400', '401', '403', '404', '409', '412', '413', '429', '500', '503']);
    expect(patch.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(patch.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    // A declared error response keeps its own description and code, still in the shared contract.
    expect(patch.responses['412']).toMatchObject({
      description: 'The widget changed since you read it',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' }, example: { code: 'VERSION_MISMATCH', path: '/api/v1/widgets/:id' } } },
    });
  });

  it('when a response is 2xx, then data sits in the success envelope; 204 has no body', () => {
    const doc = buildOpenApiDocument(sampleRoutes, options);
    const ok = doc.paths['/api/v1/widgets']!.get!.responses['200'] as { content: Record<string, { schema: Record<string, unknown>; example: unknown }> };
    expect(ok.content['application/json']!.schema).toMatchObject({
      required: ['success', 'data'],
      properties: { success: { const: true }, data: { type: 'array' } },
    });
    expect(ok.content['application/json']!.example).toEqual({ success: true, data: [{ id: 'w1' }] });
    expect(doc.paths['/api/v1/widgets/{id}']!.delete!.responses['204']).toEqual({ description: 'Gone', headers: { 'X-Request-ID': { $ref: '#/components/headers/XRequestId' } } });
  });

  it('when joi schemas are named and linked, then they become shared components the operations reference', () => {
    const document = buildOpenApiDocument(sampleRoutes, options) as OpenApiDocument & { components: { schemas: Record<string, unknown> } };
    expect(document.components.schemas.Address).toMatchObject({ type: 'object', required: ['line1'] });
    const body = (document.paths['/api/v1/widgets/{id}']!.patch!.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown>; schemas?: unknown } }> }).content['application/json']!.schema;
    expect(body.properties.shipTo).toEqual({ $ref: '#/components/schemas/Address' });
    expect(body.properties.billTo).toEqual({ $ref: '#/components/schemas/Address' });
    expect(body.schemas).toBeUndefined();
  });

  it('when a document is broken, then the validator rejects it (the check can fail)', () => {
    const document = buildOpenApiDocument(sampleRoutes, options) as Record<string, unknown>;
    const broken = { ...document, paths: { '/x': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } } } };
    expect(validateOpenApi(broken).valid).toBe(false);
  });

  it('when the document is built, then the error contract, security schemes and module tags are shared components', () => {
    const doc = buildOpenApiDocument(sampleRoutes, options) as unknown as Record<string, never>;
    const components = doc.components as { schemas: Record<string, { required: string[] }>; securitySchemes: Record<string, { type: string; in?: string }>; responses: Record<string, unknown> };
    expect(components.schemas.ErrorResponse!.required).toEqual(['success', 'message', 'code', 'timestamp', 'path', 'requestId']);
    expect(components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(components.securitySchemes.refreshCookie).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect((components.responses.BadRequest as { headers: object }).headers).toHaveProperty('X-Request-ID');
    expect(Object.keys(components.responses)).toEqual(expect.arrayContaining(['BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'TooManyRequests', 'InternalError', 'ServiceUnavailable']));
    expect(doc.tags).toEqual([expect.objectContaining({ name: 'Products' })]);
    expect(doc.servers).toEqual(options.servers);
  });
});

describe('GET /docs/openapi.json', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { PUBLIC_URL: 'https://api.example.com' } });
  });
  afterAll(async () => ctx.close());

  it('when requested, then every declared route appears with its operation and implied error responses, and the document validates', async () => {
    const res = await request(ctx.app).get('/docs/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const document = res.body as { paths: Record<string, Record<string, Operation>>; servers: { url: string }[] };
    const routes = collectRoutes(ctx.container);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const op = document.paths[toOpenApiPath(fullPath(route))]?.[route.method];
      expect(op).toMatchObject({ summary: route.summary, tags: [...route.tags] });
      for (const status of impliedErrorStatuses(route)) expect(op!.responses).toHaveProperty(String(status));
    }
    const operations = Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(operations).toBe(ctx.endpointCount);
    expect(document.servers.map((s) => s.url)).toEqual(['/', 'https://api.example.com']);
    expect(validateOpenApi(res.body)).toMatchObject({ valid: true });
  });

  it('when a client signs in with ?cookie=true, then the cookie it gets has the name and path the refreshCookie scheme documents', async () => {
    const document = (await request(ctx.app).get('/docs/openapi.json').expect(200)).body as { components: { securitySchemes: { refreshCookie: { name: string; description: string } } } };
    const scheme = document.components.securitySchemes.refreshCookie;
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).post('/api/v1/auth/login?cookie=true').send({ email: user.email, password: user.password }).expect(200);
    const [cookie] = res.headers['set-cookie'] as unknown as string[];
    expect(cookie!.split('=')[0]).toBe(scheme.name);
    const path = /Path=([^;]+)/.exec(cookie!)?.[1];
    expect(scheme.description).toContain(`Path=${path}`);
  });

  it('when docs are disabled, then /docs and /docs/openapi.json answer 404 ROUTE_NOT_FOUND', async () => {
    const off = await createTestContext({ env: { DOCS_ENABLED: 'false' } });
    expectErrorContract(await request(off.app).get('/docs/openapi.json'), 404, 'ROUTE_NOT_FOUND');
    expectErrorContract(await request(off.app).get('/docs/'), 404, 'ROUTE_NOT_FOUND');
    await off.close();
  });
});

describe('GET /docs', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('when /docs is requested, then it redirects to /docs/ so the page assets resolve', async () => {
    const res = await request(ctx.app).get('/docs').expect(301);
    expect(res.headers.location).toBe('/docs/');
  });

  it('when the page is served, then it loads only same-origin scripts, no inline script, under the CSP', async () => {
    const res = await request(ctx.app).get('/docs/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src=["']\.\/[\w.-]+\.js["']/);
      expect(inline!.trim()).toBe('');
    }
  });

  it('when the init script is served, then it points Swagger UI at our document with the external validator off', async () => {
    const res = await request(ctx.app).get('/docs/swagger-ui-init.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.text).toContain('"url": "/docs/openapi.json"');
    expect(res.text).toContain('"validatorUrl": null');
    const bundle = await request(ctx.app).get('/docs/swagger-ui-bundle.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
  });
});

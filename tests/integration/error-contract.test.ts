// Every kind of failure, whatever produces it, is rendered in the one error contract.
import express from 'express';
import Joi from 'joi';
import jwt from 'jsonwebtoken';
import mongoose, { Schema } from 'mongoose';
import request from 'supertest';
import { createAuthMiddlewares } from '../../src/middlewares/auth.middleware';
import { createErrorHandler, notFoundHandler } from '../../src/middlewares/error.middleware';
import { buildRouters, type RouteDefinition } from '../../src/routes/route-table';
import { rethrowDuplicateKey } from '../../src/repositories/errors';
import { createTokenService } from '../../src/services/auth/token';
import { ConflictError } from '../../src/utils/errors';
import { sendSuccess } from '../../src/utils/response';
import { requestContext } from '../../src/utils/tracing';
import { testConfig } from '../support/app';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';

const Widget = mongoose.model(
  'ContractWidget',
  new Schema({ sku: { type: String, required: true, unique: true }, qty: { type: Number, min: 0 } }),
);

const config = testConfig();
const tokens = createTokenService(config.auth);
const auth = createAuthMiddlewares(tokens, async (id, claims) => (id === 'gone' ? null : { id, role: claims.role }));

const routes: RouteDefinition[] = [
  {
    method: 'post',
    path: '/widgets',
    summary: 'create',
    tags: ['Test'],
    access: 'public',
    validate: { body: Joi.object({ sku: Joi.string().max(10).required(), qty: Joi.number().integer() }) },
    handler: async (req, res) => sendSuccess(res, await Widget.create(req.validated.body as { sku: string }).catch(rethrowDuplicateKey), { status: 201 }),
  },
  {
    method: 'post',
    path: '/widgets/unchecked',
    summary: 'create without request validation, so the model validates',
    tags: ['Test'],
    access: 'public',
    validate: { body: Joi.object().unknown(true) },
    handler: async (req, res) => sendSuccess(res, await Widget.create(req.validated.body as { sku: string }).catch(rethrowDuplicateKey), { status: 201 }),
  },
  {
    method: 'get',
    path: '/widgets/:id',
    summary: 'cast error',
    tags: ['Test'],
    access: 'public',
    handler: async (req, res) => sendSuccess(res, await Widget.findById(req.params.id)),
  },
  { method: 'get', path: '/bug', summary: 'bug', tags: ['Test'], access: 'public', handler: () => { throw new Error('connection string mongodb://admin:pw@db leaked'); } },
  { method: 'get', path: '/conflict', summary: 'conflict', tags: ['Test'], access: 'public', handler: () => { throw new ConflictError('Version is stale', 'VERSION_CONFLICT'); } },
  { method: 'get', path: '/admin', summary: 'admin only', tags: ['Test'], access: ['admin'], handler: (_req, res) => sendSuccess(res, 'ok') },
];

function buildTestApp() {
  const app = express();
  app.use(requestContext);
  app.use(express.json({ limit: '1kb' }));
  const { api } = buildRouters(routes, auth);
  app.use('/api/v1', api);
  app.use(notFoundHandler);
  app.use(createErrorHandler({ exposeInternals: false }));
  return app;
}

describe('error contract', () => {
  useTestDatabase();
  const app = buildTestApp();

  it('when the body fails its schema, then 400 VALIDATION_FAILED lists each problem', async () => {
    const res = await request(app).post('/api/v1/widgets').send({ sku: 'way-too-long-sku', qty: 1.5, extra: true });
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['extra', 'qty', 'sku']);
    expect(res.body.details.find((d: { path: string }) => d.path === 'extra')).toMatchObject({ location: 'body', type: 'object.unknown' });
  });

  it('when the model rejects a document, then 400 VALIDATION_FAILED names the field', async () => {
    const res = await request(app).post('/api/v1/widgets/unchecked').send({ sku: 'a', qty: -1 });
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'qty' })]);
  });

  it('when a unique field is duplicated, then 409 DUPLICATE_KEY names the field and nothing is written twice', async () => {
    await request(app).post('/api/v1/widgets').send({ sku: 'dup' }).expect(201);
    const res = await request(app).post('/api/v1/widgets').send({ sku: 'dup' });
    expectErrorContract(res, 409, 'DUPLICATE_KEY');
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'sku' })]);
    expect(await Widget.countDocuments({ sku: 'dup' })).toBe(1);
  });

  it('when an id cannot be cast, then 400 INVALID_ID instead of a 500', async () => {
    const res = await request(app).get('/api/v1/widgets/not-an-id');
    expectErrorContract(res, 400, 'INVALID_ID');
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    const res = await request(app).post('/api/v1/widgets').set('Content-Type', 'application/json').send('{"sku":');
    expectErrorContract(res, 400, 'MALFORMED_JSON');
  });

  it('when the body exceeds the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(app).post('/api/v1/widgets').send({ sku: 'x'.repeat(4096) });
    expectErrorContract(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('when a service throws a typed error, then its status and code are kept', async () => {
    expectErrorContract(await request(app).get('/api/v1/conflict'), 409, 'VERSION_CONFLICT');
  });

  it('when code throws an unexpected error, then 500 hides the message', async () => {
    const res = await request(app).get('/api/v1/bug');
    expectErrorContract(res, 500, 'INTERNAL_ERROR');
    expect(JSON.stringify(res.body)).not.toMatch(/mongodb:|leaked|pw@/);
  });

  it('when the route does not exist, then 404 ROUTE_NOT_FOUND', async () => {
    expectErrorContract(await request(app).get('/api/v1/nowhere'), 404, 'ROUTE_NOT_FOUND');
  });

  describe('authentication and authorization', () => {
    const sign = (payload: object, options: jwt.SignOptions = {}) =>
      jwt.sign(payload, config.auth.jwtSecret, { issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience, subject: 'acc1', jwtid: 'j1', ...options });

    it('when no token is sent, then 401 UNAUTHORIZED with a Bearer challenge', async () => {
      const res = await request(app).get('/api/v1/admin');
      expectErrorContract(res, 401, 'UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('when the caller lacks the role, then 403 FORBIDDEN', async () => {
      const { token } = tokens.signAccessToken({ id: 'acc1', role: 'customer' });
      expectErrorContract(await request(app).get('/api/v1/admin').set('Authorization', `Bearer ${token}`), 403, 'FORBIDDEN');
    });

    it('when the caller has the role, then the handler runs', async () => {
      const { token } = tokens.signAccessToken({ id: 'acc1', role: 'admin' });
      await request(app).get('/api/v1/admin').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it.each([
      ['alg none', () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'acc1', role: 'admin', jti: 'j', iss: config.auth.jwtIssuer, aud: config.auth.jwtAudience, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`],
      ['forged signature', () => jwt.sign({ role: 'admin' }, 'another-secret-that-is-long-enough-0123456789', { subject: 'acc1', jwtid: 'j', issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience })],
      ['wrong audience', () => sign({ role: 'admin' }, { audience: 'someone-else', expiresIn: 60 })],
      ['wrong algorithm', () => sign({ role: 'admin' }, { algorithm: 'HS512', expiresIn: 60 })],
      ['unknown role', () => sign({ role: 'root' }, { expiresIn: 60 })],
    ])('when the token is invalid (%s), then 401 TOKEN_INVALID', async (_name, make) => {
      expectErrorContract(await request(app).get('/api/v1/admin').set('Authorization', `Bearer ${make()}`), 401, 'TOKEN_INVALID');
    });

    it('when the token has expired, then 401 TOKEN_EXPIRED', async () => {
      const token = sign({ role: 'admin', exp: Math.floor(Date.now() / 1000) - 10 });
      expectErrorContract(await request(app).get('/api/v1/admin').set('Authorization', `Bearer ${token}`), 401, 'TOKEN_EXPIRED');
    });

    it('when the account behind a valid token can no longer act, then 401 ACCOUNT_INACTIVE', async () => {
      const { token } = tokens.signAccessToken({ id: 'gone', role: 'admin' });
      expectErrorContract(await request(app).get('/api/v1/admin').set('Authorization', `Bearer ${token}`), 401, 'ACCOUNT_INACTIVE');
    });
  });
});

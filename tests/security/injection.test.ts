// Attack suite, part 1: NoSQL operator injection, prototype pollution, parameter pollution,
// payload shape and size, malformed JSON, ReDoS and invalid ids.
import mongoose from 'mongoose';
import request from 'supertest';
import { Product } from '../support/models';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, type RegisteredUser, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertProducts } from '../integration/products.fixture';
import { attack } from './harness';

const accountsCollection = () => mongoose.connection.collection('accounts');

describe('attack suite: injection and payload shape', () => {
  useTestDatabase();
  let ctx: TestContext;
  let admin: TestCaller;
  let manager: TestCaller;
  let user: RegisteredUser;
  const routes = () => ctx.routes;
  const api = () => request(ctx.app);

  beforeAll(async () => {
    ctx = await createTestContext();
    admin = await callerWithRole(ctx, 'admin');
    manager = await callerWithRole(ctx, 'manager');
    user = await registerAndLogin(ctx);
    await insertProducts([{ name: 'Probe Phone', price: 10, tags: ['alpha', 'beta'] }]);
  });
  afterAll(async () => ctx.close());

  describe('NoSQL operator injection', () => {
    attack(
      { id: 'NOSQL-01', vector: 'Operator injection in login (email)', route: 'POST /api/v1/auth/login', payload: '{"email":{"$ne":null},"password":"x"}', expected: '400 FORBIDDEN_KEY, no token issued' },
      routes,
      async (see) => {
        const res = see(await api().post('/api/v1/auth/login').send({ email: { $ne: null }, password: 'x' }));
        expectErrorContract(res, 400, 'FORBIDDEN_KEY');
        expect(JSON.stringify(res.body)).not.toMatch(/accessToken/);
      },
    );

    attack(
      { id: 'NOSQL-02', vector: 'Operator injection in login (password)', route: 'POST /api/v1/auth/login', payload: '{"email":"<registered>","password":{"$gt":""}}', expected: '400 FORBIDDEN_KEY, no token issued' },
      routes,
      async (see) => {
        const res = see(await api().post('/api/v1/auth/login').send({ email: user.email, password: { $gt: '' } }));
        expectErrorContract(res, 400, 'FORBIDDEN_KEY');
      },
    );

    attack(
      { id: 'NOSQL-03', vector: 'Operator in a query string', route: 'GET /api/v1/products', payload: '?price[$gt]=0', expected: '400 FORBIDDEN_KEY' },
      routes,
      async (see) => expectErrorContract(see(await api().get('/api/v1/products?price[$gt]=0')), 400, 'FORBIDDEN_KEY'),
    );

    attack(
      { id: 'NOSQL-04', vector: 'Regex operator in a query string', route: 'GET /api/v1/accounts', payload: '?email[$regex]=.* (as admin)', expected: '400 FORBIDDEN_KEY' },
      routes,
      async (see) => expectErrorContract(see(await api().get('/api/v1/accounts?email[$regex]=.*').set(admin.headers)), 400, 'FORBIDDEN_KEY'),
    );

    attack(
      { id: 'NOSQL-05', vector: '$where in a body', route: 'POST /api/v1/products', payload: '{"name":"X","sku":"W-1","price":1,"category":"x","$where":"sleep(1000)"}', expected: '400 FORBIDDEN_KEY, nothing stored' },
      routes,
      async (see) => {
        const res = see(await api().post('/api/v1/products').set(manager.headers).send({ name: 'X', sku: 'W-1', price: 1, category: 'x', $where: 'sleep(1000)' }));
        expectErrorContract(res, 400, 'FORBIDDEN_KEY');
        expect(await Product.countDocuments({ sku: 'W-1' })).toBe(0);
      },
    );

    attack(
      { id: 'NOSQL-06', vector: '$expr nested in a body', route: 'PATCH /api/v1/accounts/me', payload: '{"firstName":{"$expr":{"$eq":[1,1]}}}', expected: '400 FORBIDDEN_KEY, account unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ firstName: { $expr: { $eq: [1, 1] } } }));
        expectErrorContract(res, 400, 'FORBIDDEN_KEY');
        expect(await accountsCollection().findOne({ email: user.email })).toMatchObject({ firstName: 'Ada' });
      },
    );

    attack(
      { id: 'NOSQL-07', vector: 'Dotted path key in a body', route: 'PATCH /api/v1/accounts/me', payload: '{"role.x":"admin"}', expected: '400 FORBIDDEN_KEY' },
      routes,
      async (see) => expectErrorContract(see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ 'role.x': 'admin' })), 400, 'FORBIDDEN_KEY'),
    );
  });

  describe('prototype pollution', () => {
    attack(
      { id: 'PROTO-01', vector: '__proto__ in a JSON body', route: 'POST /api/v1/auth/register', payload: '{"firstName":"A","lastName":"B","email":"…","password":"…","__proto__":{"role":"admin"}}', expected: '400 FORBIDDEN_KEY, no account, Object.prototype untouched' },
      routes,
      async (see) => {
        const body = `{"firstName":"A","lastName":"B","email":"proto1@example.test","password":"long enough pass","__proto__":{"role":"admin"}}`;
        const res = see(await api().post('/api/v1/auth/register').set('Content-Type', 'application/json').send(body));
        expectErrorContract(res, 400, 'FORBIDDEN_KEY');
        expect(({} as Record<string, unknown>).role).toBeUndefined();
        expect(await accountsCollection().countDocuments({ email: 'proto1@example.test' })).toBe(0);
      },
    );

    attack(
      { id: 'PROTO-02', vector: 'constructor.prototype in a JSON body', route: 'PATCH /api/v1/accounts/me', payload: '{"constructor":{"prototype":{"isAdmin":true}}}', expected: '400 FORBIDDEN_KEY, Object.prototype untouched' },
      routes,
      async (see) => {
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ constructor: { prototype: { isAdmin: true } } }));
        expectErrorContract(res, 400, 'FORBIDDEN_KEY');
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      },
    );

    attack(
      { id: 'PROTO-03', vector: '__proto__ in a query string', route: 'GET /api/v1/products', payload: '?__proto__[role]=admin', expected: '400 FORBIDDEN_KEY' },
      routes,
      async (see) => expectErrorContract(see(await api().get('/api/v1/products?__proto__[role]=admin')), 400, 'FORBIDDEN_KEY'),
    );
  });

  describe('HTTP parameter pollution', () => {
    attack(
      { id: 'HPP-01', vector: 'Repeated scalar parameter', route: 'GET /api/v1/products', payload: '?sort=price:asc&sort=name:asc', expected: '400 VALIDATION_FAILED (must be given once)' },
      routes,
      async (see) => {
        const res = see(await api().get('/api/v1/products?sort=price:asc&sort=name:asc'));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details[0].message).toMatch(/given once/);
      },
    );

    attack(
      { id: 'HPP-02', vector: 'Repeated scalar on a schema without HPP helpers', route: 'GET /api/v1/accounts', payload: '?role=admin&role=customer (as admin)', expected: '400 VALIDATION_FAILED (must be given once)' },
      routes,
      async (see) => {
        const res = see(await api().get('/api/v1/accounts?role=admin&role=customer').set(admin.headers));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual([expect.objectContaining({ path: 'role', message: expect.stringMatching(/given once/) })]);
      },
    );

    attack(
      { id: 'HPP-03', vector: 'Repeated list parameter (allowed by design)', route: 'GET /api/v1/products', payload: '?tags=alpha&tags=beta', expected: '200, repeats and commas mean the same list' },
      routes,
      async (see) => {
        const repeated = see(await api().get('/api/v1/products?tags=alpha&tags=beta&tagsMode=all'));
        const commas = await api().get('/api/v1/products?tags=alpha,beta&tagsMode=all');
        expectSuccess(repeated);
        expect(repeated.body.data.map((p: { id: string }) => p.id)).toEqual(commas.body.data.map((p: { id: string }) => p.id));
        expect(repeated.body.data).toHaveLength(1);
      },
    );
  });

  describe('payload size and shape', () => {
    attack(
      { id: 'SIZE-01', vector: 'Oversized JSON body', route: 'POST /api/v1/auth/login', payload: '200 KB JSON (limit 100kb)', expected: '413 PAYLOAD_TOO_LARGE' },
      routes,
      async (see) => {
        const res = see(await api().post('/api/v1/auth/login').send({ email: 'a@b.test', password: 'x'.repeat(200 * 1024) }));
        expectErrorContract(res, 413, 'PAYLOAD_TOO_LARGE');
      },
    );

    attack(
      { id: 'SIZE-02', vector: 'Deeply nested JSON', route: 'PATCH /api/v1/accounts/me', payload: '{"firstName":{"a":{"a":… 60 levels}}}', expected: '400 PAYLOAD_TOO_COMPLEX' },
      routes,
      async (see) => {
        const body = `{"firstName":${'{"a":'.repeat(60)}1${'}'.repeat(60)}}`;
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).set('Content-Type', 'application/json').send(body));
        expectErrorContract(res, 400, 'PAYLOAD_TOO_COMPLEX');
      },
    );

    attack(
      { id: 'SIZE-03', vector: 'Huge array in a body', route: 'PATCH /api/v1/accounts/me', payload: '{"addresses":[1000 × {}]}', expected: '400 PAYLOAD_TOO_COMPLEX' },
      routes,
      async (see) => {
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ addresses: Array.from({ length: 1000 }, () => ({})) }));
        expectErrorContract(res, 400, 'PAYLOAD_TOO_COMPLEX');
      },
    );

    attack(
      { id: 'JSON-01', vector: 'Malformed JSON', route: 'POST /api/v1/auth/login', payload: '{"email": "a@b.test",', expected: '400 MALFORMED_JSON without parser internals' },
      routes,
      async (see) => {
        const res = see(await api().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email": "a@b.test",'));
        expectErrorContract(res, 400, 'MALFORMED_JSON');
        expect(res.body.message).not.toMatch(/Unexpected|position|JSON\.parse/);
      },
    );
  });

  describe('ReDoS and ids', () => {
    const evil = `${'a'.repeat(60)}!(a+)+$`;

    attack(
      { id: 'REDOS-01', vector: 'Catastrophic-backtracking pattern in product search', route: 'GET /api/v1/products', payload: '?search=aaaa…a!(a+)+$ (60 a)', expected: '200: the search is matched literally (regex metacharacters escaped)' },
      routes,
      async (see) => {
        const res = see(await api().get('/api/v1/products').query({ search: evil }));
        expectSuccess(res);
        expect(res.body.data).toEqual([]);
      },
    );

    attack(
      { id: 'REDOS-02', vector: 'Regex metacharacters in the account email filter', route: 'GET /api/v1/accounts', payload: '?email=.* (as admin)', expected: '200 with no match: the prefix is matched literally' },
      routes,
      async (see) => {
        const res = see(await api().get('/api/v1/accounts').query({ email: '.*' }).set(admin.headers));
        expectSuccess(res);
        expect(res.body.data).toEqual([]);
      },
    );

    attack(
      { id: 'OID-01', vector: 'Invalid ObjectId in a path', route: 'GET /api/v1/accounts/:id', payload: 'GET /accounts/not-an-id (as admin)', expected: '400 VALIDATION_FAILED before any query' },
      routes,
      async (see) => expectErrorContract(see(await api().get('/api/v1/accounts/not-an-id').set(admin.headers)), 400, 'VALIDATION_FAILED'),
    );

    attack(
      { id: 'OID-02', vector: 'Operator-looking id in a path', route: 'DELETE /api/v1/products/:id', payload: 'DELETE /products/{"$ne":null} (as manager)', expected: '400 VALIDATION_FAILED, nothing deleted' },
      routes,
      async (see) => {
        const res = see(await api().delete(`/api/v1/products/${encodeURIComponent('{"$ne":null}')}`).set(manager.headers));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(await Product.countDocuments({ deletedAt: { $ne: null } })).toBe(0);
      },
    );
  });
});

// Attack suite, part 2: stored and reflected XSS, mass assignment, IDOR, and the audit that every
// body- or query-taking route declares a schema.
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { Product } from '../support/models';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, type RegisteredUser, type TestCaller } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertProducts } from '../integration/products.fixture';
import { attack, routeKey } from './harness';

const accounts = () => mongoose.connection.collection('accounts');
const accountDoc = (id: string) => accounts().findOne({ _id: new Types.ObjectId(id) });
const SCRIPT = '<script>alert(1)</script>';

describe('attack suite: XSS, mass assignment and access control', () => {
  useTestDatabase();
  let ctx: TestContext;
  let manager: TestCaller;
  let user: RegisteredUser;
  let other: RegisteredUser;
  let productId: string;
  const routes = () => ctx.routes;
  const api = () => request(ctx.app);

  beforeAll(async () => {
    ctx = await createTestContext();
    manager = await callerWithRole(ctx, 'manager');
    user = await registerAndLogin(ctx);
    other = await registerAndLogin(ctx);
    [productId] = await insertProducts([{ name: 'Target Phone', price: 10, stock: 5 }]);
  });
  afterAll(async () => ctx.close());

  describe('XSS', () => {
    attack(
      { id: 'XSS-01', vector: 'Stored XSS in a product name', route: 'POST /api/v1/products', payload: `{"name":"${SCRIPT}",…} (as manager)`, expected: '400 VALIDATION_FAILED (plain text), nothing stored' },
      routes,
      async (see) => {
        const res = see(await api().post('/api/v1/products').set(manager.headers).send({ name: SCRIPT, sku: 'XSS-1', price: 1, category: 'phones' }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual([expect.objectContaining({ path: 'name', type: 'text.markup' })]);
        expect(await Product.countDocuments({ sku: 'XSS-1' })).toBe(0);
      },
    );

    attack(
      { id: 'XSS-02', vector: 'Stored XSS in a product description', route: 'PATCH /api/v1/products/:id', payload: '{"description":"<img src=x onerror=alert(1)>","version":1} (as manager)', expected: '400 VALIDATION_FAILED, description unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch(`/api/v1/products/${productId}`).set(manager.headers).send({ description: '<img src=x onerror=alert(1)>', version: 1 }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect((await Product.findById(productId).lean())?.description).toBe('');
      },
    );

    attack(
      { id: 'XSS-03', vector: 'Stored XSS in an account name', route: 'PATCH /api/v1/accounts/me', payload: '{"lastName":"<svg onload=alert(1)>"}', expected: '400 VALIDATION_FAILED, name unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ lastName: '<svg onload=alert(1)>' }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(await accountDoc(user.accountId)).toMatchObject({ lastName: 'Lovelace' });
      },
    );

    attack(
      { id: 'XSS-04', vector: 'Stored XSS in an address', route: 'PATCH /api/v1/accounts/me', payload: '{"addresses":[{"line1":"<a href=javascript:alert(1)>x</a>",…}]}', expected: '400 VALIDATION_FAILED' },
      routes,
      async (see) => {
        const address = { line1: '<a href="javascript:alert(1)">x</a>', city: 'Paris', postalCode: '75001', country: 'FR' };
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ addresses: [address] }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details[0].path).toBe('addresses.0.line1');
      },
    );

    attack(
      { id: 'XSS-05', vector: 'Reflected XSS through a query value', route: 'GET /api/v1/products', payload: `?search=${SCRIPT}`, expected: '200 application/json + nosniff; the value is never echoed as HTML' },
      routes,
      async (see) => {
        const res = see(await api().get('/api/v1/products').query({ search: SCRIPT }));
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.text).not.toContain('<script>');
      },
    );

    attack(
      { id: 'XSS-06', vector: 'Reflected XSS through an unknown path', route: '*', payload: `GET /api/v1/${SCRIPT}`, expected: '404 ROUTE_NOT_FOUND as JSON + nosniff, markup not echoed' },
      routes,
      async (see) => {
        const res = see(await api().get(`/api/v1/${encodeURIComponent(SCRIPT)}`));
        expectErrorContract(res, 404, 'ROUTE_NOT_FOUND');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.text).not.toContain('<script>');
      },
    );
  });

  describe('mass assignment', () => {
    attack(
      { id: 'MASS-01', vector: 'role on registration', route: 'POST /api/v1/auth/register', payload: '{…valid fields…,"role":"admin"}', expected: '400 VALIDATION_FAILED (unknown field), no account' },
      routes,
      async (see) => {
        const body = { firstName: 'M', lastName: 'A', email: 'mass1@example.test', password: 'long enough pass', role: 'admin' };
        const res = see(await api().post('/api/v1/auth/register').send(body));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(await accounts().countDocuments({ email: 'mass1@example.test' })).toBe(0);
      },
    );

    attack(
      { id: 'MASS-02', vector: 'role and deletedAt on the own profile', route: 'PATCH /api/v1/accounts/me', payload: '{"role":"admin","deletedAt":null}', expected: '400 VALIDATION_FAILED, role unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch('/api/v1/accounts/me').set(user.headers).send({ role: 'admin', deletedAt: null }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(await accountDoc(user.accountId)).toMatchObject({ role: 'customer' });
      },
    );

    attack(
      { id: 'MASS-03', vector: 'role through the admin-capable update', route: 'PATCH /api/v1/accounts/:id', payload: 'PATCH /accounts/<own id> {"role":"admin"} (as customer)', expected: '403 ACCOUNT_FIELD_FORBIDDEN, role unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch(`/api/v1/accounts/${user.accountId}`).set(user.headers).send({ role: 'admin' }));
        expectErrorContract(res, 403, 'ACCOUNT_FIELD_FORBIDDEN');
        expect(await accountDoc(user.accountId)).toMatchObject({ role: 'customer' });
      },
    );

    attack(
      { id: 'MASS-04', vector: 'deletedAt on a product', route: 'PATCH /api/v1/products/:id', payload: '{"deletedAt":"2020-01-01","version":1} (as manager)', expected: '400 VALIDATION_FAILED, product not deleted' },
      routes,
      async (see) => {
        const res = see(await api().patch(`/api/v1/products/${productId}`).set(manager.headers).send({ deletedAt: '2020-01-01', version: 1 }));
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect((await Product.findById(productId).lean())?.deletedAt).toBeNull();
      },
    );

    attack(
      { id: 'MASS-05', vector: 'stock by a customer', route: 'PATCH /api/v1/products/:id', payload: '{"stock":999999,"version":1} (as customer)', expected: '403 FORBIDDEN, stock unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch(`/api/v1/products/${productId}`).set(user.headers).send({ stock: 999_999, version: 1 }));
        expectErrorContract(res, 403, 'FORBIDDEN');
        expect((await Product.findById(productId).lean())?.stock).toBe(5);
      },
    );
  });

  describe('IDOR on accounts', () => {
    attack(
      { id: 'IDOR-01', vector: "Reading another customer's account", route: 'GET /api/v1/accounts/:id', payload: 'GET /accounts/<other id> (as customer)', expected: '403 FORBIDDEN, no account data' },
      routes,
      async (see) => {
        const res = see(await api().get(`/api/v1/accounts/${other.accountId}`).set(user.headers));
        expectErrorContract(res, 403, 'FORBIDDEN');
        expect(res.text).not.toContain(other.email);
      },
    );

    attack(
      { id: 'IDOR-02', vector: "Changing another customer's account", route: 'PATCH /api/v1/accounts/:id', payload: 'PATCH /accounts/<other id> {"firstName":"Mallory"} (as customer)', expected: '403 FORBIDDEN, account unchanged' },
      routes,
      async (see) => {
        const res = see(await api().patch(`/api/v1/accounts/${other.accountId}`).set(user.headers).send({ firstName: 'Mallory' }));
        expectErrorContract(res, 403, 'FORBIDDEN');
        expect(await accountDoc(other.accountId)).toMatchObject({ firstName: 'Ada' });
      },
    );

    attack(
      { id: 'IDOR-03', vector: "Deleting another customer's account", route: 'DELETE /api/v1/accounts/:id', payload: 'DELETE /accounts/<other id> (as customer)', expected: '403 FORBIDDEN, account not deleted' },
      routes,
      async (see) => {
        const res = see(await api().delete(`/api/v1/accounts/${other.accountId}`).set(user.headers));
        expectErrorContract(res, 403, 'FORBIDDEN');
        expect(await accountDoc(other.accountId)).toMatchObject({ deletedAt: null });
      },
    );
  });

  describe('schema coverage', () => {
    attack(
      { id: 'AUDIT-01', vector: 'A route that takes input without a schema', route: '*', payload: 'every POST/PUT/PATCH route in the route table', expected: 'each declares a body schema (noBody when it takes none; rawBody for a signed webhook, verified byte for byte) and none allows unknown keys' },
      routes,
      async (see) => {
        const bodyTaking = ctx.routes.filter((r) => ['post', 'put', 'patch'].includes(r.method));
        // Omitting a body schema would reject every body anyway, but the table must say so (noBody).
        // A signed webhook declares `rawBody` instead: its signature, not a schema, decides what is accepted.
        const withoutSchema = bodyTaking.filter((r) => !r.validate?.body && !r.rawBody).map(routeKey);
        // A schema that lets unknown keys through is where mass assignment starts.
        const permissive = bodyTaking.filter((r) => (r.validate?.body?.describe().flags as { unknown?: boolean } | undefined)?.unknown === true).map(routeKey);
        see(`${bodyTaking.length} body-taking routes: ${withoutSchema.length} without a schema, ${permissive.length} permissive`);
        expect(withoutSchema).toEqual([]);
        expect(permissive).toEqual([]);
      },
    );
  });
});

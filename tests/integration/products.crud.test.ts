// Product writes over HTTP: create, read by id/slug, optimistic concurrency, soft delete/restore,
// conditional GETs. Runs without Redis: the service must work uncached.
import { Types } from 'mongoose';
import request from 'supertest';
import { Product } from '../support/models';
import { callerWithRole } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { ensureCategories } from '../support/categories';

useTestDatabase();

describe('products API', () => {
  let ctx: TestContext;
  let manager: { Authorization: string };
  let admin: { Authorization: string };
  let managerId: string;
  let skuSeq = 0;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ensureCategories('phones', 'tablets');
    const m = await callerWithRole(ctx, 'manager');
    manager = m.headers;
    managerId = m.accountId;
    admin = (await callerWithRole(ctx, 'admin')).headers;
  });
  afterAll(async () => ctx.close());

  async function createProduct(overrides: Record<string, unknown> = {}) {
    skuSeq += 1;
    const res = await request(ctx.app)
      .post('/api/v1/products')
      .set(manager)
      .send({ name: 'Ultra Phone 12', sku: `up-${skuSeq}`, price: 19.99, category: 'phones', tags: [' Apple ', 'apple', 'PHONE'], status: 'active', stock: 3, ...overrides });
    expectSuccess(res, 201);
    return res.body.data as { id: string; slug: string; version: number; [k: string]: unknown };
  }

  describe('POST /api/v1/products', () => {
    it('when a manager creates a product, then 201 with a slug, normalized tags and the price stored in minor units', async () => {
      const product = await createProduct({ name: 'Café Crème Phone', description: 'Fish & Chips: 5 < 6 "quoted"' });
      expect(product).toMatchObject({ slug: 'cafe-creme-phone', price: 19.99, tags: ['apple', 'phone'], version: 1, status: 'active', ratingStars: 0 });
      expect(product.description).toBe('Fish & Chips: 5 < 6 "quoted"');
      const stored = await Product.collection.findOne({ _id: new Types.ObjectId(product.id) });
      expect(stored).toMatchObject({ priceMinor: 1999, sku: `UP-${skuSeq}` });
    });

    it('when two products share a name, then the second gets a distinct slug', async () => {
      const a = await createProduct({ name: 'Twin Name' });
      const b = await createProduct({ name: 'Twin Name' });
      expect([a.slug, b.slug]).toEqual(['twin-name', 'twin-name-2']);
    });

    it('when the sku already exists, then 409 DUPLICATE_KEY and nothing is added', async () => {
      await createProduct({ sku: 'dup-1' });
      const before = await Product.countDocuments();
      const res = await request(ctx.app).post('/api/v1/products').set(manager).send({ name: 'X', sku: 'DUP-1', price: 1, category: 'phones' });
      expectErrorContract(res, 409, 'DUPLICATE_KEY');
      expect(await Product.countDocuments()).toBe(before);
    });

    it('when the body is invalid, then 400 lists every problem and nothing is stored', async () => {
      const before = await Product.countDocuments();
      const res = await request(ctx.app)
        .post('/api/v1/products')
        .set(manager)
        .send({ name: '', sku: 'ok-1', price: 1.005, category: 'Phones!', stock: -1, ratingAverage: 5, description: '<img src=x onerror=alert(1)>' });
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      const paths = res.body.details.map((d: { path: string }) => d.path).sort();
      expect(paths).toEqual(['category', 'description', 'name', 'price', 'ratingAverage', 'stock']);
      expect(await Product.countDocuments()).toBe(before);
    });

    it('when a customer or anonymous caller creates, then 403 / 401', async () => {
      const customer = (await callerWithRole(ctx, 'customer')).headers;
      const body = { name: 'X', sku: 'NOPE-1', price: 1, category: 'phones' };
      expectErrorContract(await request(ctx.app).post('/api/v1/products').set(customer).send(body), 403, 'FORBIDDEN');
      expectErrorContract(await request(ctx.app).post('/api/v1/products').send(body), 401, 'UNAUTHORIZED');
    });
  });

  describe('GET /api/v1/products/:id', () => {
    it('when read by id or slug, then the same product with an ETag of its version', async () => {
      const product = await createProduct({ name: 'Slug Reader' });
      const byId = await request(ctx.app).get(`/api/v1/products/${product.id}`);
      const bySlug = await request(ctx.app).get(`/api/v1/products/${product.slug}`);
      expectSuccess(byId);
      expect(bySlug.body.data).toEqual(byId.body.data);
      expect(byId.headers.etag).toBe(`"${product.id}-v1"`);
      expect(byId.headers.vary).toMatch(/Authorization/);
    });

    it('when read cross-origin or not, then Vary names both Origin and Authorization, so no shared cache mixes the answers', async () => {
      const product = await createProduct();
      const plain = await request(ctx.app).get(`/api/v1/products/${product.id}`);
      const crossOrigin = await request(ctx.app).get(`/api/v1/products/${product.id}`).set('Origin', ctx.config.cors.origins[0]!);
      for (const res of [plain, crossOrigin]) {
        expect(String(res.headers.vary).split(/\s*,\s*/).sort()).toEqual(['Authorization', 'Origin']);
      }
      expect(crossOrigin.headers['access-control-allow-origin']).toBe(ctx.config.cors.origins[0]);
      expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('when If-None-Match carries the current ETag, then 304 without a body; after a change, 200', async () => {
      const product = await createProduct();
      const first = await request(ctx.app).get(`/api/v1/products/${product.id}`);
      const again = await request(ctx.app).get(`/api/v1/products/${product.id}`).set('If-None-Match', first.headers.etag);
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).set('If-Match', first.headers.etag).send({ stock: 9 });
      const changed = await request(ctx.app).get(`/api/v1/products/${product.id}`).set('If-None-Match', first.headers.etag);
      expectSuccess(changed);
      expect(changed.body.data.stock).toBe(9);
    });

    it('when a list is fetched with its own ETag, then 304; once the page changes, 200 with the new page and a new ETag', async () => {
      const first = await request(ctx.app).get('/api/v1/products?limit=5&sort=createdAt:desc');
      expect(first.headers.etag).toMatch(/^W\/"/);
      const again = await request(ctx.app).get('/api/v1/products?limit=5&sort=createdAt:desc').set('If-None-Match', first.headers.etag);
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      const added = await createProduct();
      const changed = await request(ctx.app).get('/api/v1/products?limit=5&sort=createdAt:desc').set('If-None-Match', first.headers.etag);
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(first.headers.etag);
      expect(changed.body.data[0].id).toBe(added.id);
    });

    it('when a draft is read, then the public gets 404 PRODUCT_NOT_FOUND and staff see it', async () => {
      const draft = await createProduct({ status: 'draft' });
      expectErrorContract(await request(ctx.app).get(`/api/v1/products/${draft.id}`), 404, 'PRODUCT_NOT_FOUND');
      expectSuccess(await request(ctx.app).get(`/api/v1/products/${draft.id}`).set(manager));
    });

    it('when the id is neither an id nor a slug, then 400; unknown id, then 404', async () => {
      expectErrorContract(await request(ctx.app).get('/api/v1/products/Bad$Slug'), 400, 'VALIDATION_FAILED');
      expectErrorContract(await request(ctx.app).get(`/api/v1/products/${new Types.ObjectId().toHexString()}`), 404, 'PRODUCT_NOT_FOUND');
    });
  });

  describe('PATCH /api/v1/products/:id', () => {
    it('when If-Match is current, then the change applies, version increments and the slug stays on rename', async () => {
      const product = await createProduct({ name: 'Old Name' });
      const res = await request(ctx.app)
        .patch(`/api/v1/products/${product.id}`)
        .set(manager)
        .set('If-Match', `"${product.id}-v1"`)
        .send({ name: 'New Name', price: 25.5 });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ name: 'New Name', slug: product.slug, price: 25.5, version: 2 });
      expect(res.headers.etag).toBe(`"${product.id}-v2"`);
    });

    it('when regenerateSlug is sent, then the slug follows the new name', async () => {
      const product = await createProduct({ name: 'Before Rename' });
      const res = await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).send({ version: 1, name: 'After Rename', regenerateSlug: true });
      expect(res.body.data.slug).toBe('after-rename');
    });

    it('when the version is stale, then 409 VERSION_CONFLICT and the stored product is unchanged', async () => {
      const product = await createProduct();
      await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).send({ version: 1, stock: 1 });
      const res = await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).set('If-Match', `"${product.id}-v1"`).send({ stock: 50 });
      expectErrorContract(res, 409, 'VERSION_CONFLICT');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'version', currentVersion: 2 })]);
      const stored = await Product.findById(product.id).lean();
      expect(stored).toMatchObject({ stock: 1, version: 2 });
    });

    it('when two writers race with the same version, then exactly one wins', async () => {
      const product = await createProduct();
      const send = (stock: number) => request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).send({ version: 1, stock });
      const results = await Promise.all([send(100), send(200)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!;
      expect((await Product.findById(product.id).lean())?.stock).toBe(winner.body.data.stock);
    });

    it('when no version is sent, then 428 VERSION_REQUIRED; a foreign ETag, then 400', async () => {
      const product = await createProduct();
      expectErrorContract(await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).send({ stock: 1 }), 428, 'VERSION_REQUIRED');
      const foreign = await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).set('If-Match', '"abc-v1"').send({ stock: 1 });
      expectErrorContract(foreign, 400, 'INVALID_PRECONDITION');
    });
  });

  describe('DELETE /api/v1/products/:id and POST /api/v1/products/:id/restore', () => {
    it('when a manager deletes, then 204, deletedAt/deletedBy are set, the public no longer sees it, and repeating is harmless', async () => {
      const product = await createProduct({ name: 'Doomed Phone' });
      const res = await request(ctx.app).delete(`/api/v1/products/${product.id}`).set(manager);
      expect(res.status).toBe(204);
      const stored = await Product.findById(product.id).lean();
      expect(stored?.deletedAt).toBeInstanceOf(Date);
      expect(stored?.deletedBy?.toString()).toBe(managerId);
      expectErrorContract(await request(ctx.app).get(`/api/v1/products/${product.id}`), 404, 'PRODUCT_NOT_FOUND');
      const list = await request(ctx.app).get('/api/v1/products?search=doomed');
      expect(list.body.data).toEqual([]);
      expect((await request(ctx.app).delete(`/api/v1/products/${product.id}`).set(manager)).status).toBe(204);
      expect((await Product.findById(product.id).lean())?.deletedAt?.getTime()).toBe(stored?.deletedAt?.getTime());
      const staffView = await request(ctx.app).get(`/api/v1/products?search=doomed&includeDeleted=true`).set(manager);
      expect(staffView.body.data.map((p: { id: string }) => p.id)).toEqual([product.id]);
      const edit = await request(ctx.app).patch(`/api/v1/products/${product.id}`).set(manager).send({ version: 2, stock: 1 });
      expectErrorContract(edit, 409, 'PRODUCT_DELETED');
    });

    it('when an admin restores, then it is visible again; a manager may not restore', async () => {
      const product = await createProduct();
      await request(ctx.app).delete(`/api/v1/products/${product.id}`).set(manager);
      expectErrorContract(await request(ctx.app).post(`/api/v1/products/${product.id}/restore`).set(manager), 403, 'FORBIDDEN');
      const res = await request(ctx.app).post(`/api/v1/products/${product.id}/restore`).set(admin);
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ id: product.id, version: 3 });
      expect(res.body.data.deletedAt).toBeUndefined();
      expectSuccess(await request(ctx.app).get(`/api/v1/products/${product.id}`));
    });

    it('when the product does not exist, then 404 on delete and restore', async () => {
      const id = new Types.ObjectId().toHexString();
      expectErrorContract(await request(ctx.app).delete(`/api/v1/products/${id}`).set(manager), 404, 'PRODUCT_NOT_FOUND');
      expectErrorContract(await request(ctx.app).post(`/api/v1/products/${id}/restore`).set(admin), 404, 'PRODUCT_NOT_FOUND');
    });
  });
});

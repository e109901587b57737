// Cache-aside with the real Redis (key prefix unique to this context): reads are served from the
// cache, and a read after any write never returns the old answer.
import request from 'supertest';
import { Product } from '../support/models';
import { callerWithRole } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { clearProducts, insertProducts } from './products.fixture';

useTestDatabase();

describe('products cache (Redis)', () => {
  let ctx: TestContext;
  let manager: { Authorization: string };
  let id: string;

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    manager = (await callerWithRole(ctx, 'manager')).headers;
  });
  beforeEach(async () => {
    await clearProducts();
    [id] = await insertProducts([{ name: 'Cached Phone', price: 10, stock: 5, tags: ['cache'] }]);
    // The fixture writes behind the service's back, so it tells the cache like any writer must.
    await ctx.container.products.invalidate([id]);
  });
  afterAll(async () => ctx.close());

  const getOne = () => request(ctx.app).get(`/api/v1/products/${id}`);
  const getList = () => request(ctx.app).get('/api/v1/products?tags=cache');

  it('when a product is read twice, then the second read is served from Redis (a direct DB change is not seen)', async () => {
    await getOne();
    await getList();
    expect((await ctx.redis!.keys(`${ctx.config.redis.keyPrefix}products:*`)).length).toBeGreaterThanOrEqual(2);
    // Bypass the service: the cache does not know, so it keeps serving the cached answer.
    await Product.updateOne({ _id: id }, { $set: { stock: 0 } });
    expect((await getOne()).body.data.stock).toBe(5);
    expect((await getList()).body.data[0].stock).toBe(5);
  });

  it('when orders change stock and call invalidate(ids), then item and list reads are fresh', async () => {
    await getOne();
    await getList();
    await Product.updateOne({ _id: id }, { $set: { stock: 0 } });
    await ctx.container.products.invalidate([id]);
    expect((await getOne()).body.data.stock).toBe(0);
    expect((await getList()).body.data[0].stock).toBe(0);
  });

  it('when a product is updated through the API, then the next item, slug, list and facet reads show the change', async () => {
    const slug = (await getOne()).body.data.slug;
    await getList();
    await request(ctx.app).get('/api/v1/products/facets?tags=cache');
    const res = await request(ctx.app).patch(`/api/v1/products/${id}`).set(manager).send({ version: 1, price: 12.5, category: 'tablets' });
    expectSuccess(res);
    expect((await getOne()).body.data.price).toBe(12.5);
    expect((await request(ctx.app).get(`/api/v1/products/${slug}`)).body.data.price).toBe(12.5);
    expect((await getList()).body.data[0].price).toBe(12.5);
    const facets = await request(ctx.app).get('/api/v1/products/facets?tags=cache');
    expect(facets.body.data.categories).toEqual([{ value: 'tablets', count: 1 }]);
  });

  it('when a product is deleted, created or restored, then lists reflect it immediately', async () => {
    expect((await getList()).body.data).toHaveLength(1);
    await request(ctx.app).delete(`/api/v1/products/${id}`).set(manager);
    expect((await getList()).body.data).toHaveLength(0);
    await request(ctx.app).post('/api/v1/products').set(manager).send({ name: 'New Cached', sku: 'CACHE-NEW', price: 1, category: 'phones', tags: ['cache'], status: 'active' });
    expect((await getList()).body.data.map((p: { name: string }) => p.name)).toEqual(['New Cached']);
    const admin = (await callerWithRole(ctx, 'admin')).headers;
    await request(ctx.app).post(`/api/v1/products/${id}/restore`).set(admin);
    expect((await getList()).body.data).toHaveLength(2);
  });

  it('when a slug is moved to a new name, then the old slug no longer resolves to the product', async () => {
    const oldSlug = (await getOne()).body.data.slug;
    await request(ctx.app).get(`/api/v1/products/${oldSlug}`);
    await request(ctx.app).patch(`/api/v1/products/${id}`).set(manager).send({ version: 1, name: 'Renamed Phone', regenerateSlug: true });
    expect((await request(ctx.app).get(`/api/v1/products/${oldSlug}`)).status).toBe(404);
    expect((await request(ctx.app).get('/api/v1/products/renamed-phone')).body.data.id).toBe(id);
  });
});

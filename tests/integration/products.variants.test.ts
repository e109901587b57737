// Product variants over HTTP: staff CRUD with If-Match, catalog-wide SKU uniqueness, variant-level
// order lines (productId-only compatibility), no-oversell and restock-once per variant, the
// denormalized stock sum and price range, and option filters.
import { Types } from 'mongoose';
import request from 'supertest';
import { Order } from '../support/models';
import { Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { ensureCategories } from '../support/categories';
import { orderBody } from './orders.fixture';

useTestDatabase();

interface VariantView {
  id: string;
  sku: string;
  optionValues: Record<string, string>;
  price: number;
  stock: number;
  active: boolean;
}
interface ProductBody {
  id: string;
  version: number;
  stock: number;
  price: number;
  priceRange: { min: number; max: number };
  options: { name: string; values: string[] }[];
  variants: VariantView[];
}

let seq = 0;
const sku = (label: string) => `VAR-${label}-${Date.now().toString(36).toUpperCase()}-${(seq += 1)}`;

describe('product variants', () => {
  let ctx: TestContext;
  let manager: TestCaller;
  let buyer: TestCaller;

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    await ensureCategories('apparel');
    manager = await callerWithRole(ctx, 'manager');
    buyer = await callerWithRole(ctx, 'customer');
  });
  afterAll(async () => ctx.close());

  const etag = (p: { id: string; version: number }) => `"${p.id}-v${p.version}"`;

  async function createProduct(overrides: Record<string, unknown> = {}): Promise<ProductBody> {
    const res = await request(ctx.app)
      .post('/api/v1/products')
      .set(manager.headers)
      .send({ name: 'Trail Tee', sku: sku('BASE'), price: 20, category: 'apparel', stock: 7, status: 'active', ...overrides });
    expectSuccess(res, 201);
    return res.body.data;
  }

  const patchVariant = (p: ProductBody, variantId: string, body: Record<string, unknown>) =>
    request(ctx.app).patch(`/api/v1/products/${p.id}/variants/${variantId}`).set(manager.headers).set('If-Match', etag(p)).send(body);
  const addVariant = (p: ProductBody, body: Record<string, unknown>) =>
    request(ctx.app).post(`/api/v1/products/${p.id}/variants`).set(manager.headers).set('If-Match', etag(p)).send(body);

  /** A product with size × colour variants: S/red 5 @20, M/red 3 @20, M/blue 2 @25. */
  async function tee(): Promise<ProductBody> {
    let p = await createProduct({ stock: 5 });
    let res = await patchVariant(p, p.variants[0].id, { optionValues: { size: 'S', colour: 'red' } });
    expectSuccess(res);
    p = res.body.data;
    res = await addVariant(p, { sku: sku('M-RED'), optionValues: { size: 'M', colour: 'red' }, stock: 3 });
    expectSuccess(res, 201);
    p = res.body.data;
    res = await addVariant(p, { sku: sku('M-BLUE'), optionValues: { size: 'M', colour: 'blue' }, stock: 2, price: 25 });
    expectSuccess(res, 201);
    return res.body.data;
  }

  const variant = (p: ProductBody, size: string, colour: string) => p.variants.find((v) => v.optionValues.size === size && v.optionValues.colour === colour)!;
  const placeOrder = (items: { productId: string; variantId?: string; quantity: number }[], caller = buyer) =>
    request(ctx.app).post('/api/v1/orders').set(caller.headers).send(orderBody(items as { productId: string; quantity: number }[]));

  describe('POST /api/v1/products', () => {
    it('when a product is created without variants, then it has one default variant holding its SKU, price and stock', async () => {
      const p = await createProduct({ price: 12.5, stock: 9 });
      expect(p.variants).toHaveLength(1);
      expect(p.variants[0]).toMatchObject({ optionValues: {}, price: 12.5, stock: 9, active: true });
      expect(p).toMatchObject({ stock: 9, price: 12.5, priceRange: { min: 12.5, max: 12.5 }, options: [] });
    });
  });

  describe('POST/PATCH/DELETE /api/v1/products/:id/variants', () => {
    it('when variants are added and changed, then options, stock sum and price range follow every write', async () => {
      const p = await tee();
      expect(p.options).toEqual([
        { name: 'size', values: ['S', 'M'] },
        { name: 'colour', values: ['red', 'blue'] },
      ]);
      expect(p).toMatchObject({ stock: 10, price: 20, priceRange: { min: 20, max: 25 } });

      const res = await patchVariant(p, variant(p, 'M', 'blue').id, { active: false });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ stock: 8, priceRange: { min: 20, max: 20 } });
      const stored = await Product.findById(p.id).lean();
      expect(stored).toMatchObject({ stock: 8, priceMinMinor: 2000, priceMaxMinor: 2000 });

      const del = await request(ctx.app)
        .delete(`/api/v1/products/${p.id}/variants/${variant(p, 'S', 'red').id}`)
        .set(manager.headers)
        .set('If-Match', etag(res.body.data));
      expectSuccess(del);
      expect(del.body.data).toMatchObject({ stock: 3 });
      expect(del.body.data.variants).toHaveLength(2);
    });

    it('when the product base price changes, then inheriting variants and the price range follow', async () => {
      const p = await tee();
      const res = await request(ctx.app).patch(`/api/v1/products/${p.id}`).set(manager.headers).set('If-Match', etag(p)).send({ price: 30 });
      expectSuccess(res);
      expect(res.body.data.priceRange).toEqual({ min: 25, max: 30 });
      expect(variant(res.body.data, 'S', 'red').price).toBe(30);
    });

    it('when If-Match is stale or missing, then 409 VERSION_CONFLICT / 428 and nothing changes', async () => {
      const p = await tee();
      const stale = { ...p, version: p.version - 1 };
      expectErrorContract(await patchVariant(stale, p.variants[0].id, { stock: 99 }), 409, 'VERSION_CONFLICT');
      const missing = await request(ctx.app).patch(`/api/v1/products/${p.id}/variants/${p.variants[0].id}`).set(manager.headers).send({ stock: 99 });
      expectErrorContract(missing, 428, 'VERSION_REQUIRED');
      expect((await Product.findById(p.id).lean())!.stock).toBe(10);
    });

    it('when a variant breaks the option rules, then 409 naming the rule', async () => {
      const p = await tee();
      expectErrorContract(await addVariant(p, { sku: sku('X'), optionValues: { size: 'L' } }), 409, 'VARIANT_OPTIONS_MISMATCH');
      expectErrorContract(await addVariant(p, { sku: sku('X'), optionValues: { size: 'M', colour: 'red' } }), 409, 'DUPLICATE_VARIANT_OPTIONS');
      const plain = await createProduct();
      expectErrorContract(await addVariant(plain, { sku: sku('X'), optionValues: { size: 'L' } }), 409, 'VARIANT_OPTIONS_REQUIRED');
      const last = await request(ctx.app).delete(`/api/v1/products/${plain.id}/variants/${plain.variants[0].id}`).set(manager.headers).set('If-Match', etag(plain));
      expectErrorContract(last, 409, 'LAST_VARIANT');
    });

    it('when an option name is not a plain word, then 400 and nothing is stored', async () => {
      const p = await createProduct();
      for (const optionValues of [{ $where: 'x' }, { 'a.b': 'x' }, { __proto__x: 'x' }, { size: 'M<script>' }]) {
        expectErrorContract(await patchVariant(p, p.variants[0].id, { optionValues }), 400);
      }
      expect((await Product.findById(p.id).lean())!.version).toBe(p.version);
    });

    it('when a customer tries to manage variants, then 403', async () => {
      const p = await createProduct();
      const res = await request(ctx.app).post(`/api/v1/products/${p.id}/variants`).set(buyer.headers).set('If-Match', etag(p)).send({ sku: sku('X') });
      expectErrorContract(res, 403);
    });
  });

  describe('SKU uniqueness', () => {
    it('when a variant reuses a SKU of another product or of a sibling, then 409 DUPLICATE_KEY on sku', async () => {
      const other = await tee();
      const p = await createProduct();
      const mine = await patchVariant(p, p.variants[0].id, { optionValues: { size: 'S' } });
      expectSuccess(mine);
      const taken = await addVariant(mine.body.data, { sku: variant(other, 'M', 'red').sku, optionValues: { size: 'M' } });
      expectErrorContract(taken, 409, 'DUPLICATE_KEY');
      expect(taken.body.details[0]).toMatchObject({ path: 'sku' });
      const sibling = await addVariant(mine.body.data, { sku: mine.body.data.variants[0].sku, optionValues: { size: 'M' } });
      expectErrorContract(sibling, 409, 'DUPLICATE_KEY');
      const product = await request(ctx.app).post('/api/v1/products').set(manager.headers).send({ name: 'Clash', sku: variant(other, 'M', 'blue').sku, price: 1, category: 'apparel' });
      expectErrorContract(product, 409, 'DUPLICATE_KEY');
    });
  });

  describe('POST /api/v1/orders with variants', () => {
    it('when a line names only the product of a single-variant product, then its default variant is ordered', async () => {
      const p = await createProduct({ stock: 4 });
      const res = await placeOrder([{ productId: p.id, quantity: 3 }]);
      expectSuccess(res, 201);
      expect(res.body.data.items[0]).toMatchObject({ productId: p.id, variantId: p.variants[0].id, sku: p.variants[0].sku, optionValues: {} });
      expect((await Product.findById(p.id).lean())!.variants![0].stock).toBe(1);
    });

    it('when a line names only the product of a multi-variant product, then 400 VARIANT_REQUIRED naming the line and nothing is reserved', async () => {
      const plain = await createProduct();
      const p = await tee();
      const res = await placeOrder([{ productId: plain.id, quantity: 1 }, { productId: p.id, quantity: 1 }]);
      expectErrorContract(res, 400, 'VARIANT_REQUIRED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'items.1.variantId', productId: p.id })]);
      expect((await Product.findById(plain.id).lean())!.stock).toBe(plain.stock);
    });

    it('when a line names a variant, then the line snapshots its SKU, option values and price', async () => {
      const p = await tee();
      const blue = variant(p, 'M', 'blue');
      const res = await placeOrder([{ productId: p.id, variantId: blue.id, quantity: 2 }]);
      expectSuccess(res, 201);
      expect(res.body.data.items[0]).toMatchObject({ variantId: blue.id, sku: blue.sku, optionValues: { size: 'M', colour: 'blue' }, unitPrice: 25, lineTotal: 50 });
      const stored = (await Product.findById(p.id).lean())!;
      expect(stored.stock).toBe(8);
      expect(stored.variants!.find((v) => v._id.toString() === blue.id)!.stock).toBe(0);
    });

    it('when a variant is unknown or inactive, then 400 VARIANT_UNAVAILABLE naming the line', async () => {
      const p = await tee();
      const off = await patchVariant(p, variant(p, 'S', 'red').id, { active: false });
      expectSuccess(off);
      for (const variantId of [new Types.ObjectId().toHexString(), variant(p, 'S', 'red').id]) {
        const res = await placeOrder([{ productId: p.id, variantId, quantity: 1 }]);
        expectErrorContract(res, 400, 'VARIANT_UNAVAILABLE');
        expect(res.body.details[0]).toMatchObject({ path: 'items.0.variantId' });
      }
    });

    it('when 60 buyers race for the last 5 units of one variant, then exactly 5 win and the other variants are untouched', async () => {
      const p = await tee();
      const target = variant(p, 'S', 'red');
      const callers = await Promise.all(Array.from({ length: 60 }, () => callerWithRole(ctx, 'customer')));
      const results = await Promise.all(callers.map((c) => placeOrder([{ productId: p.id, variantId: target.id, quantity: 1 }], c)));
      // Counted by status and code, so a failure shows what the losers were told.
      const tally: Record<string, number> = {};
      for (const r of results) tally[`${r.status} ${r.body.code ?? ''}`.trim()] = (tally[`${r.status} ${r.body.code ?? ''}`.trim()] ?? 0) + 1;
      expect(tally).toEqual({ '201': 5, '409 INSUFFICIENT_STOCK': 55 });
      for (const r of results.filter((x) => x.status === 409)) {
        expectErrorContract(r, 409, 'INSUFFICIENT_STOCK');
        expect(r.body.details[0]).toMatchObject({ variantId: target.id, available: 0 });
      }
      const stored = (await Product.findById(p.id).lean())!;
      const stockBy = Object.fromEntries(stored.variants!.map((v) => [v._id.toString(), v.stock]));
      expect(stockBy).toEqual({ [target.id]: 0, [variant(p, 'M', 'red').id]: 3, [variant(p, 'M', 'blue').id]: 2 });
      expect(stored.stock).toBe(5);
      const sold = await Order.aggregate([{ $unwind: '$items' }, { $match: { 'items.variant': new Types.ObjectId(target.id) } }, { $group: { _id: null, q: { $sum: '$items.quantity' } } }]);
      expect(sold[0].q).toBe(5);
    });

    it('when an order of two variants is cancelled by concurrent requests, then each variant is restocked exactly once', async () => {
      const p = await tee();
      const red = variant(p, 'M', 'red');
      const blue = variant(p, 'M', 'blue');
      const placed = await placeOrder([
        { productId: p.id, variantId: red.id, quantity: 2 },
        { productId: p.id, variantId: blue.id, quantity: 1 },
      ]);
      expectSuccess(placed, 201);
      const cancels = await Promise.all(
        Array.from({ length: 8 }, () => request(ctx.app).post(`/api/v1/orders/${placed.body.data.id}/cancel`).set(buyer.headers).send({ version: 1 })),
      );
      expect(cancels.filter((r) => r.status === 200)).toHaveLength(1);
      const stored = (await Product.findById(p.id).lean())!;
      const stockBy = Object.fromEntries(stored.variants!.map((v) => [v._id.toString(), v.stock]));
      expect(stockBy).toEqual({ [variant(p, 'S', 'red').id]: 5, [red.id]: 3, [blue.id]: 2 });
      expect(stored.stock).toBe(10);
    });
  });

  describe('GET /api/v1/products?options=', () => {
    it('when filtering by option values, then only products with one active variant matching every option are listed', async () => {
      const p = await tee();
      const list = async (query: Record<string, string>) => {
        const res = await request(ctx.app).get('/api/v1/products').query({ category: 'apparel', limit: '100', ...query });
        expectSuccess(res);
        return (res.body.data as { id: string }[]).map((x) => x.id);
      };
      expect(await list({ options: 'size:M,colour:blue' })).toContain(p.id);
      expect(await list({ options: 'size:s,colour:RED' })).toContain(p.id);
      // S exists and blue exists, but never on one variant.
      expect(await list({ options: 'size:S,colour:blue' })).not.toContain(p.id);
      expect(await list({ options: 'size:S,size:M,colour:blue' })).toContain(p.id);
      const off = await patchVariant(p, variant(p, 'M', 'blue').id, { active: false });
      expectSuccess(off);
      expect(await list({ options: 'size:M,colour:blue' })).not.toContain(p.id);
    });

    it('when price filters and sorts are used, then they read the variant price range', async () => {
      const p = await tee();
      const ids = async (query: Record<string, string>) =>
        ((await request(ctx.app).get('/api/v1/products').query({ category: 'apparel', limit: '100', ...query })).body.data as { id: string }[]).map((x) => x.id);
      expect(await ids({ minPrice: '24', maxPrice: '26' })).toContain(p.id);
      expect(await ids({ minPrice: '26' })).not.toContain(p.id);
    });

    it.each(['size', 'size:', '$where:1', 'a.b:c', 'size:M;drop'])('when options is "%s", then 400', async (options) => {
      expectErrorContract(await request(ctx.app).get('/api/v1/products').query({ options }), 400);
    });
  });
});

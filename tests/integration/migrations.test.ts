// `npm run migrate`'s runner and the default-variant step against the test database: dry run,
// idempotent re-runs, and an order on a migrated legacy product.
import { Types } from 'mongoose';
import request from 'supertest';
import { MIGRATIONS, runMigrations } from '../../src/jobs/migrations/migrations';
import { seedCatalog } from '../../src/loaders/seed';
import { Category, Product } from '../support/models';
import { createCategoryRepository } from '../../src/repositories/category.repository';
import { createProductCategoryRepository } from '../../src/repositories/product-category.repository';
import { createProductRepository } from '../../src/repositories/product.repository';
import { callerWithRole } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { orderBody } from './orders.fixture';

useTestDatabase();

/** Products as they were stored before variants existed. */
async function insertLegacy(count: number, category = 'legacy'): Promise<Types.ObjectId[]> {
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    name: `Legacy ${i}`,
    slug: `legacy-${i}-${new Types.ObjectId().toHexString()}`,
    sku: `LEGACY-${new Types.ObjectId().toHexString().slice(-8).toUpperCase()}-${i}`,
    description: '',
    priceMinor: 1000 + i,
    currency: 'USD',
    category,
    tags: [],
    stock: 3 + i,
    ratingAverage: 0,
    ratingCount: 0,
    status: 'active',
    deletedAt: null,
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
  }));
  await Product.collection.insertMany(docs);
  return docs.map((d) => d._id);
}

describe('npm run migrate', () => {
  let ctx: TestContext;
  const deps = () => ({ products: createProductRepository(Product), categories: createCategoryRepository(Category), productCategories: createProductCategoryRepository(Product) });

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
  });
  afterAll(async () => ctx.close());

  it('when steps are listed, then every name is unique and the default-variant step is registered', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('2026-12-product-default-variants');
  });

  it('when run with --dry-run, then pending work is reported and nothing is written', async () => {
    const ids = await insertLegacy(3);
    const [result] = await runMigrations(deps(), { dryRun: true, only: ['2026-12-product-default-variants'] });
    expect(result).toMatchObject({ pending: 3, changed: 0 });
    expect(await Product.countDocuments({ _id: { $in: ids }, variants: { $exists: true } })).toBe(0);
  });

  it('when run twice, then each legacy product gets one default variant once and can be ordered by productId', async () => {
    const ids = await insertLegacy(4);
    const [first] = await runMigrations(deps(), { dryRun: false, only: ['2026-12-product-default-variants'] });
    expect(first.changed).toBeGreaterThanOrEqual(4);
    const [second] = await runMigrations(deps(), { dryRun: false, only: ['2026-12-product-default-variants'] });
    expect(second).toMatchObject({ pending: 0, changed: 0 });

    const migrated = (await Product.findById(ids[1]).lean())!;
    expect(migrated.variants).toHaveLength(1);
    expect(migrated.variants![0]).toMatchObject({ sku: migrated.sku, stock: 4, priceMinor: null, active: true });
    expect(migrated).toMatchObject({ stock: 4, priceMinMinor: 1001, priceMaxMinor: 1001 });

    const buyer = await callerWithRole(ctx, 'customer');
    const res = await request(ctx.app).post('/api/v1/orders').set(buyer.headers).send(orderBody([{ productId: ids[1].toHexString(), quantity: 4 }]));
    expectSuccess(res, 201);
    expect((await Product.findById(ids[1]).lean())!.variants![0].stock).toBe(0);
  });

  it('when the demo catalog is seeded, then some products have size/colour variants and every product has variants', async () => {
    await Product.deleteMany({});
    await seedCatalog(deps(), { count: 80 });
    expect(await Product.countDocuments({ variants: { $exists: false } })).toBe(0);
    const withOptions = await Product.find({ 'variants.optionTags': 'size=m' }).lean();
    expect(withOptions.length).toBeGreaterThan(0);
    for (const p of withOptions) expect(p.stock).toBe(p.variants!.filter((v) => v.active).reduce((s, v) => s + v.stock, 0));
  });
  describe('2026-12-product-category-tree', () => {
    const only = ['2026-12-product-category-tree'];
    // Starts with a digit: the migration title-cases the words of a category name, and a tag starting
    // with a hex letter ("d4bf57" → "D4bf57") would make the expected name depend on chance.
    const label = () => `7${new Types.ObjectId().toHexString().slice(-5)}`;

    it('when run with --dry-run, then it reports the products to file and creates or changes nothing', async () => {
      const ids = await insertLegacy(2, `Dry Goods ${label()}`);
      const categories = await Category.countDocuments();
      const [result] = await runMigrations(deps(), { dryRun: true, only });
      expect(result.changed).toBe(0);
      expect(result.pending).toBeGreaterThanOrEqual(2);
      expect(await Category.countDocuments()).toBe(categories);
      expect(await Product.countDocuments({ _id: { $in: ids }, categoryPath: { $exists: true } })).toBe(0);
    });

    it('when run twice, then each string category becomes one category document once and its products are filed and filterable', async () => {
      const tag = label();
      const garden = await insertLegacy(2, `Home & Garden ${tag}`);
      const toys = await insertLegacy(1, ` toys-${tag} `);
      const [first] = await runMigrations(deps(), { dryRun: false, only });
      expect(first.changed).toBeGreaterThanOrEqual(3);
      const categories = await Category.countDocuments();
      const [second] = await runMigrations(deps(), { dryRun: false, only });
      expect(second).toMatchObject({ pending: 0, changed: 0 });
      expect(await Category.countDocuments()).toBe(categories);

      const gardenSlug = `home-garden-${tag}`;
      expect(await Category.findOne({ slug: gardenSlug }).lean()).toMatchObject({ name: `Home & Garden ${tag}`, parent: null, ancestors: [] });
      expect(await Product.findById(garden[0]).lean()).toMatchObject({ category: gardenSlug, categoryPath: [gardenSlug] });
      expect(await Product.findById(toys[0]).lean()).toMatchObject({ category: `toys-${tag}`, categoryPath: [`toys-${tag}`] });

      const res = await request(ctx.app).get('/api/v1/products').query({ category: gardenSlug });
      expectSuccess(res);
      expect((res.body.data as { id: string }[]).map((p) => p.id).sort()).toEqual(garden.map(String).sort());
    });

    it('when a category with the same slug already sits in the tree, then the products join it with its full path', async () => {
      const tag = label();
      const repo = createCategoryRepository(Category);
      const { category: outdoor } = await repo.ensure({ name: 'Outdoor', slug: `outdoor-${tag}`, parent: null, ancestors: [], position: 0 });
      await repo.ensure({ name: 'Tents', slug: `tents-${tag}`, parent: outdoor._id, ancestors: [outdoor._id], position: 0 });
      const [id] = await insertLegacy(1, `Tents ${tag}`);
      await runMigrations(deps(), { dryRun: false, only });
      expect(await Product.findById(id).lean()).toMatchObject({ category: `tents-${tag}`, categoryPath: [`outdoor-${tag}`, `tents-${tag}`] });
      const res = await request(ctx.app).get('/api/v1/products').query({ category: `outdoor-${tag}` });
      expect((res.body.data as { id: string }[]).map((p) => p.id)).toEqual([id.toHexString()]);
    });

    it('when the demo catalog is seeded, then the tree exists and every product carries the path of its category', async () => {
      await Product.deleteMany({});
      await seedCatalog(deps(), { count: 40 });
      expect(await Category.findOne({ slug: 'laptops' }).lean()).toMatchObject({ ancestors: [expect.anything(), expect.anything()] });
      expect(await Product.countDocuments({ categoryPath: { $exists: false } })).toBe(0);
      const laptop = (await Product.findOne({ category: 'laptops' }).lean())!;
      expect(laptop.categoryPath).toEqual(['electronics', 'computers', 'laptops']);
      const res = await request(ctx.app).get('/api/v1/categories');
      const electronics = (res.body.data as { slug: string; productCount: number }[]).find((c) => c.slug === 'electronics')!;
      expect(electronics.productCount).toBe(await Product.countDocuments({ categoryPath: 'electronics', status: 'active', deletedAt: null }));
    });
  });
});

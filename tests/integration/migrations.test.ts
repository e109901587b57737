// `npm run migrate`'s runner and the default-variant step against the test database: dry run,
// idempotent re-runs, and an order on a migrated legacy product.
import { Types } from 'mongoose';
import request from 'supertest';
import { MIGRATIONS, runMigrations } from '../../src/jobs/migrations/migrations';
import { seedCatalog } from '../../src/loaders/seed';
import { Product } from '../support/models';
import { createProductRepository } from '../../src/repositories/product.repository';
import { callerWithRole } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { orderBody } from './orders.fixture';

useTestDatabase();

/** Products as they were stored before variants existed. */
async function insertLegacy(count: number): Promise<Types.ObjectId[]> {
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    name: `Legacy ${i}`,
    slug: `legacy-${i}-${new Types.ObjectId().toHexString()}`,
    sku: `LEGACY-${new Types.ObjectId().toHexString().slice(-8).toUpperCase()}-${i}`,
    description: '',
    priceMinor: 1000 + i,
    currency: 'USD',
    category: 'legacy',
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
  const deps = () => ({ products: createProductRepository(Product) });

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
    await seedCatalog(createProductRepository(Product), { count: 80 });
    expect(await Product.countDocuments({ variants: { $exists: false } })).toBe(0);
    const withOptions = await Product.find({ 'variants.optionTags': 'size=m' }).lean();
    expect(withOptions.length).toBeGreaterThan(0);
    for (const p of withOptions) expect(p.stock).toBe(p.variants!.filter((v) => v.active).reduce((s, v) => s + v.stock, 0));
  });
});

// The repair command and the demo seed: aggregates and helpful counts recounted from the stored
// reviews and votes (in-process, and as `npm run reviews:repair` runs it), cached product reads
// refreshed, and the seed's demo reviews counted.
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { createSeedReviews } from '../../src/loaders/commands';
import { createSeedRepositories } from '../../src/loaders/repositories';
import { seedCatalog } from '../../src/loaders/seed';
import { seedDemoReviews } from '../../src/loaders/seed-reviews';
import { ratingAverageOf } from '../../src/models/Review';
import { ratingUpdatePipeline } from '../../src/repositories/reviews/ratings';
import { DEMO_ACCOUNTS, seedDemoAccounts } from '../../src/services/account.seed';
import { createTestContext, type TestContext } from '../support/app';
import { useTestDatabase } from '../support/db';
import { Order, Product, Review } from '../support/models';
import { spawnServer } from '../support/process';
import { newProduct, postReview, recount, shownAggregates, storedAggregates, verifiedBuyer } from './reviews.fixture';
import { insertProducts } from './products.fixture';

useTestDatabase();

describe('review aggregates repair', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
  });
  afterAll(async () => ctx.close());

  /** A product with three reviews (one helpful vote), then corrupted behind the service's back. */
  async function driftedProduct(): Promise<{ productId: string; reviewId: string }> {
    const productId = await newProduct(ctx);
    const buyers = await Promise.all([1, 2, 3].map(() => verifiedBuyer(ctx, productId)));
    const reviews = [];
    for (const [i, rating] of [5, 4, 4].entries()) reviews.push(await postReview(ctx, buyers[i]!, productId, { rating }));
    await request(ctx.app).post(`/api/v1/reviews/${reviews[0]!.id}/helpful`).set(buyers[1]!.headers).expect(200);
    // A crash between a review write and its aggregate update, and a lost vote count, as the repair would meet them.
    await Product.collection.updateOne({ _id: new Types.ObjectId(productId) }, { $set: { ratingCount: 7, ratingAverage: 2.5, ratingHistogram: [1, 1, 1, 1, 3] } });
    await Review.collection.updateOne({ _id: new Types.ObjectId(reviews[0]!.id) }, { $set: { helpfulCount: 9 } });
    // Serve the drifted values from the cache, so the repair must drop it for the fix to show.
    await ctx.container.products.invalidate([productId]);
    expect((await shownAggregates(ctx, productId)).ratingCount).toBe(7);
    return { productId, reviewId: reviews[0]!.id };
  }

  it('when aggregates and helpful counts drifted, then a dry run reports them and writes nothing; the repair fixes them and the cached read shows it', async () => {
    const { productId, reviewId } = await driftedProduct();
    // A product with invented ratings and no reviews (as the generated demo catalog has) goes back to zero.
    const [invented] = await insertProducts([{ name: 'Invented Ratings', price: 5, ratingAverage: 4.4 }]);

    const dry = await ctx.container.reviews.repair({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, products: { fixed: 2, raced: 0 }, reviews: { fixed: 1 } });
    expect((await storedAggregates(productId))!.ratingCount).toBe(7);

    const report = await ctx.container.reviews.repair({ batchSize: 2 });
    expect(report).toMatchObject({ dryRun: false, products: { fixed: 2, raced: 0 }, reviews: { fixed: 1, raced: 0 } });
    expect(report.products.checked).toBe(await Product.countDocuments());
    expect(await shownAggregates(ctx, productId)).toEqual(await recount(productId));
    expect(await shownAggregates(ctx, productId)).toEqual({ ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 2, 5: 1 }, ratingCount: 3, ratingAverage: 4.33 });
    expect(await shownAggregates(ctx, invented!)).toEqual({ ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, ratingCount: 0, ratingAverage: 0 });
    expect((await Review.findById(reviewId).lean())!.helpfulCount).toBe(1);

    const again = await ctx.container.reviews.repair();
    expect(again).toMatchObject({ products: { fixed: 0 }, reviews: { fixed: 0 } });
  });

  it('when `npm run reviews:repair` runs against the database, then it fixes the drift and logs what it did', async () => {
    const { productId } = await driftedProduct();
    const child = spawnServer({ MONGODB_DB_NAME: mongoose.connection.name, CACHE_ENABLED: 'false' }, 'src/reviews-repair.ts');
    const done = await child.waitForLog((line) => String(line.message).includes('Review aggregates repaired'));
    expect(await child.exited).toBe(0);
    expect(done).toMatchObject({ dryRun: false, products: expect.objectContaining({ fixed: 1 }), reviews: expect.objectContaining({ fixed: 1 }) });
    const stored = await storedAggregates(productId);
    expect({ ratingCount: stored!.ratingCount, ratingAverage: stored!.ratingAverage }).toEqual({ ratingCount: 3, ratingAverage: 4.33 });
  });

  it('when many histograms are applied by the pipeline update, then its average equals ratingAverageOf to the bit (half-up, not half-even)', async () => {
    const [id] = await insertProducts([{ name: 'Rounding Probe', price: 1 }]);
    await Product.collection.updateOne({ _id: new Types.ObjectId(id) }, { $set: { ratingHistogram: [0, 0, 0, 0, 0] } });
    const histogram = [0, 0, 0, 0, 0];
    // 33/8 = 4.125 is where half-even ($round) and half-up differ; the walk passes many such means.
    const steps = [4, 4, 4, 4, 4, 4, 4, 5, 3, 1, 2, 5, 5, 1, 3, 4, 2, 2, 5, 1, 4, 3, 3, 5, 5, 5, 1, 2, 4, 4];
    for (const star of steps) {
      const delta = [0, 0, 0, 0, 0];
      delta[star - 1] = 1;
      histogram[star - 1]! += 1;
      await Product.updateOne({ _id: id }, ratingUpdatePipeline(delta), { updatePipeline: true });
      const stored = await storedAggregates(id!);
      expect({ h: stored!.ratingHistogram, avg: stored!.ratingAverage }).toEqual({ h: histogram, avg: ratingAverageOf(histogram) });
    }
  });

  it('when the demo data is seeded, then the demo customer received an order, reviewed two products, and every rating is a recount', async () => {
    const repositories = await createSeedRepositories(mongoose.connection, ctx.config);
    await Product.deleteMany({});
    await seedCatalog(repositories, { count: 12 });
    await seedDemoAccounts(repositories.accounts, { isProduction: false });
    const reviews = createSeedReviews(repositories, ctx.config);
    expect(await seedDemoReviews({ reviews, repositories })).toBe(2);
    expect(await seedDemoReviews({ reviews, repositories })).toBe(0);

    const customer = (await repositories.accounts.findByEmailWithPassword(DEMO_ACCOUNTS.find((a) => a.role === 'customer')!.email))!;
    expect(await Order.countDocuments({ account: customer.id, status: 'delivered' })).toBe(1);
    const reviewed = await Review.find({ account: customer.id }).lean();
    expect(reviewed).toHaveLength(2);
    for (const review of reviewed) expect(await shownAggregates(ctx, review.product.toString())).toEqual(await recount(review.product.toString()));
    expect(await Product.countDocuments({ ratingCount: { $gt: 0 } })).toBe(2);
    const listed = await request(ctx.app).get('/api/v1/products?sort=rating:desc&limit=2&fields=ratingCount');
    expect(listed.body.data.map((p: { ratingCount: number }) => p.ratingCount)).toEqual([1, 1]);
  });
});

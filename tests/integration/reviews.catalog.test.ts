// What reviews change in the catalog: `minRating` and `sort=rating:desc` over aggregates written by
// real reviews, the rating fields in product responses and projections, and cached lists that
// never serve a rating from before a review.
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { newProduct, postReview, verifiedBuyer } from './reviews.fixture';

useTestDatabase();

describe('GET /api/v1/products with review aggregates', () => {
  let ctx: TestContext;
  let ids: { low: string; mid: string; high: string; none: string };
  const api = () => request(ctx.app);
  const names = async (query: string) => {
    const res = await api().get(`/api/v1/products?category=reviewed${query}`);
    expectSuccess(res);
    return res.body.data.map((p: { id: string }) => Object.entries(ids).find(([, id]) => id === p.id)?.[0]);
  };

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    const fresh = () => newProduct(ctx, 'Review Fixture', 'reviewed');
    const [low, mid, high, none] = [await fresh(), await fresh(), await fresh(), await fresh()];
    ids = { low, mid, high, none };
    // low: 2 and 3 → 2.5; mid: 4 and 4 → 4; high: 5 and 4 → 4.5; none: no reviews.
    for (const [productId, ratings] of [[low, [2, 3]], [mid, [4, 4]], [high, [5, 4]]] as const) {
      for (const rating of ratings) await postReview(ctx, await verifiedBuyer(ctx, productId), productId, { rating });
    }
  });
  afterAll(async () => ctx.close());

  it('when sorted by rating:desc, then the best rated come first and unreviewed products last', async () => {
    expect(await names('&sort=rating:desc')).toEqual(['high', 'mid', 'low', 'none']);
    expect(await names('&sort=rating:asc')).toEqual(['none', 'low', 'mid', 'high']);
  });

  it('when filtered by minRating, then only products at or above it are listed (unreviewed ones never)', async () => {
    expect(await names('&minRating=4&sort=rating:desc')).toEqual(['high', 'mid']);
    expect(await names('&minRating=0.5&sort=rating:desc')).toEqual(['high', 'mid', 'low']);
    expectErrorContract(await api().get('/api/v1/products?minRating=6'), 400, 'VALIDATION_FAILED');
  });

  it('when a list was cached and a review changes a rating, then the next list read shows the new order', async () => {
    const [first, second] = [await newProduct(ctx, 'Review Fixture', 'recached'), await newProduct(ctx, 'Review Fixture', 'recached')];
    await postReview(ctx, await verifiedBuyer(ctx, first), first, { rating: 4 });
    const order = async () => (await api().get('/api/v1/products?category=recached&sort=rating:desc&minRating=1')).body.data.map((p: { id: string }) => p.id);
    expect(await order()).toEqual([first]);
    await postReview(ctx, await verifiedBuyer(ctx, second), second, { rating: 5 });
    expect(await order()).toEqual([second, first]);
  });

  it('when a product is read or projected, then it carries ratingAverage, ratingCount and the per-star histogram', async () => {
    const one = await api().get(`/api/v1/products/${ids.high}`);
    expect(one.body.data).toMatchObject({ ratingAverage: 4.5, ratingCount: 2, ratingStars: 4.5, ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 1 } });
    const projected = await api().get('/api/v1/products?category=reviewed&fields=ratingHistogram,ratingCount&sort=rating:desc&limit=1');
    expect(Object.keys(projected.body.data[0]).sort()).toEqual(['id', 'ratingCount', 'ratingHistogram']);
  });

  it('when rating and ratingAverage are both named in one sort, then 400 (they are the same key)', async () => {
    const res = await api().get('/api/v1/products?sort=rating:desc,ratingAverage:asc');
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'sort', message: '"ratingAverage" sorts by the same key as "rating"' })]);
  });
});

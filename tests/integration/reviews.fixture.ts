// Shared arrangements for the review tests: fresh products (created through the API, so their
// aggregates start at zero), buyers with orders in a chosen status, reviews and recounts.
import { Types } from 'mongoose';
import request from 'supertest';
import type { OrderStatus } from '../../src/models/Order';
import { ratingAverageOf } from '../../src/models/Review';
import type { TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectSuccess } from '../support/contract';
import { ensureCategories } from '../support/categories';
import { Order, Product, Review } from '../support/models';
import { ADDRESS } from './orders.fixture';

let counter = 0;

/** A live product created by a manager through the API. */
export async function newProduct(ctx: TestContext, name = 'Review Fixture', category = 'lighting'): Promise<string> {
  counter += 1;
  const manager = await callerWithRole(ctx, 'manager');
  await ensureCategories(category);
  const sku = `REV-${process.pid}-${counter}-${Date.now().toString(36)}`.toUpperCase().slice(0, 40);
  const res = await request(ctx.app)
    .post('/api/v1/products')
    .set(manager.headers)
    .send({ name: `${name} ${counter}`, sku, price: 19.99, category, stock: 100, status: 'active' });
  expectSuccess(res, 201);
  return res.body.data.id as string;
}

/** An order of `productIds` by `accountId` in `status`, written straight to the database. */
export async function orderIn(accountId: string, productIds: readonly string[], status: OrderStatus): Promise<void> {
  await Order.create({
    account: new Types.ObjectId(accountId),
    items: productIds.map((id, i) => ({ product: new Types.ObjectId(id), name: `Item ${i}`, sku: `SKU-${i}`, unitPriceMinor: 1999, quantity: 1 })),
    currency: 'USD',
    status,
    shippingAddress: ADDRESS,
  });
}

/** A customer who received `productIds` (a delivered order). */
export async function verifiedBuyer(ctx: TestContext, ...productIds: string[]): Promise<TestCaller> {
  const buyer = await callerWithRole(ctx, 'customer');
  await orderIn(buyer.accountId, productIds, 'delivered');
  return buyer;
}

export interface PostedReview {
  id: string;
  version: number;
  rating: number;
  etag: string;
}

export async function postReview(ctx: TestContext, caller: TestCaller, productId: string, body: Record<string, unknown> = {}): Promise<PostedReview> {
  const res = await request(ctx.app)
    .post(`/api/v1/products/${productId}/reviews`)
    .set(caller.headers)
    .send({ rating: 4, title: 'Does what it says', body: 'Solid.', ...body });
  expectSuccess(res, 201);
  return { id: res.body.data.id, version: res.body.data.version, rating: res.body.data.rating, etag: res.headers.etag };
}

export interface Aggregates {
  ratingHistogram: Record<string, number>;
  ratingCount: number;
  ratingAverage: number;
}

/** The product's aggregates as the API shows them. */
export async function shownAggregates(ctx: TestContext, productId: string): Promise<Aggregates> {
  const res = await request(ctx.app).get(`/api/v1/products/${productId}`);
  expectSuccess(res);
  const { ratingHistogram, ratingCount, ratingAverage } = res.body.data;
  return { ratingHistogram, ratingCount, ratingAverage };
}

/** The aggregates recounted from the published reviews in the database, in the API's shape. */
export async function recount(productId: string): Promise<Aggregates> {
  const reviews = await Review.find({ product: new Types.ObjectId(productId), status: 'published' }, { rating: 1 }).lean();
  const histogram = [0, 0, 0, 0, 0];
  for (const r of reviews) histogram[r.rating - 1]! += 1;
  return {
    ratingHistogram: Object.fromEntries(histogram.map((n, i) => [String(i + 1), n])),
    ratingCount: reviews.length,
    ratingAverage: ratingAverageOf(histogram),
  };
}

/** The stored aggregates, read straight from the product document. */
export async function storedAggregates(productId: string) {
  return Product.collection.findOne({ _id: new Types.ObjectId(productId) }, { projection: { ratingHistogram: 1, ratingCount: 1, ratingAverage: 1, version: 1 } });
}

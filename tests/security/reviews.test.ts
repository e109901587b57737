// Attack suite, part 6: reviews — IDOR on someone else's review or vote, mass assignment of counts
// and moderation fields, markup and operators in reviews, and rating abuse (reviews without a
// purchase, ballot stuffing, vote stuffing, self-votes, customers moderating).
import { Types } from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { Review } from '../support/models';
import { newProduct, postReview, verifiedBuyer, type PostedReview } from '../integration/reviews.fixture';
import { attack } from './harness';

describe('attack suite: reviews', () => {
  useTestDatabase();
  let ctx: TestContext;
  let alice: TestCaller;
  let bob: TestCaller;
  let manager: TestCaller;
  let productId: string;
  let aliceReview: PostedReview;
  const routes = () => ctx.routes;
  const api = () => request(ctx.app);
  const stored = async (id: string) => Review.findById(id).lean();
  const ratingCount = async (id: string) => (await api().get(`/api/v1/products/${id}`)).body.data.ratingCount as number;

  beforeAll(async () => {
    ctx = await createTestContext();
    productId = await newProduct(ctx, 'Attack Lamp');
    [alice, bob] = [await verifiedBuyer(ctx, productId), await verifiedBuyer(ctx, productId)];
    manager = await callerWithRole(ctx, 'manager');
    aliceReview = await postReview(ctx, alice, productId, { rating: 5, title: 'Love it' });
  });
  afterAll(async () => ctx.close());

  attack(
    { id: 'IDOR-09', vector: "Editing another customer's review", route: 'PATCH /api/v1/reviews/:id', payload: 'PATCH /reviews/<alice\'s review> with her ETag {"rating":1} (as bob, also a verified buyer)', expected: '404 REVIEW_NOT_FOUND, the same answer as a missing review; review unchanged' },
    routes,
    async (see) => {
      const theirs = see(await api().patch(`/api/v1/reviews/${aliceReview.id}`).set(bob.headers).set('If-Match', aliceReview.etag).send({ rating: 1 }));
      const missing = await api().patch(`/api/v1/reviews/${new Types.ObjectId().toString()}`).set(bob.headers).send({ version: 1, rating: 1 });
      expectErrorContract(theirs, 404, 'REVIEW_NOT_FOUND');
      expectErrorContract(missing, 404, 'REVIEW_NOT_FOUND');
      expect(theirs.body.message).toBe(missing.body.message);
      expect((await stored(aliceReview.id))!.rating).toBe(5);
    },
  );

  attack(
    { id: 'IDOR-10', vector: "Deleting another customer's review", route: 'DELETE /api/v1/reviews/:id', payload: "DELETE /reviews/<alice's review> (as bob; then as a manager)", expected: '404 REVIEW_NOT_FOUND for both; the review and the product rating stay' },
    routes,
    async (see) => {
      const before = await ratingCount(productId);
      expectErrorContract(see(await api().delete(`/api/v1/reviews/${aliceReview.id}`).set(bob.headers)), 404, 'REVIEW_NOT_FOUND');
      expectErrorContract(await api().delete(`/api/v1/reviews/${aliceReview.id}`).set(manager.headers), 404, 'REVIEW_NOT_FOUND');
      expect(await stored(aliceReview.id)).not.toBeNull();
      expect(await ratingCount(productId)).toBe(before);
    },
  );

  attack(
    { id: 'IDOR-11', vector: "Reading another customer's hidden review", route: 'GET /api/v1/reviews/:id', payload: "GET /reviews/<carol's review, hidden by staff> (anonymous; as bob)", expected: '404 REVIEW_NOT_FOUND (the moderation note stays private); its author still reads it' },
    routes,
    async (see) => {
      const other = await newProduct(ctx);
      const carol = await verifiedBuyer(ctx, other);
      const review = await postReview(ctx, carol, other, { rating: 1 });
      await api().post(`/api/v1/reviews/${review.id}/hide`).set(manager.headers).send({ reason: 'Personal data' }).expect(200);
      expectErrorContract(await api().get(`/api/v1/reviews/${review.id}`), 404, 'REVIEW_NOT_FOUND');
      expectErrorContract(see(await api().get(`/api/v1/reviews/${review.id}`).set(bob.headers)), 404, 'REVIEW_NOT_FOUND');
      expect((await api().get(`/api/v1/reviews/${review.id}`).set(carol.headers)).status).toBe(200);
    },
  );

  attack(
    { id: 'IDOR-12', vector: "Withdrawing another account's helpful vote", route: 'DELETE /api/v1/reviews/:id/helpful', payload: "DELETE /reviews/<alice's review>/helpful (as a customer who never voted; carol voted)", expected: '204 and nothing else changes: a withdrawal only ever removes the caller\'s own vote' },
    routes,
    async (see) => {
      const carol = await callerWithRole(ctx, 'customer');
      const mallory = await callerWithRole(ctx, 'customer');
      await api().post(`/api/v1/reviews/${aliceReview.id}/helpful`).set(carol.headers).expect(200);
      const count = (await stored(aliceReview.id))!.helpfulCount;
      expect(see(await api().delete(`/api/v1/reviews/${aliceReview.id}/helpful`).set(mallory.headers)).status).toBe(204);
      expect((await stored(aliceReview.id))!.helpfulCount).toBe(count);
    },
  );

  attack(
    { id: 'MASS-09', vector: 'Counts, status and author on review creation', route: 'POST /api/v1/products/:id/reviews', payload: '{"rating":5,"title":"x","helpfulCount":999,"status":"published","accountId":"<alice>"}', expected: '400 VALIDATION_FAILED (unknown fields), no review stored' },
    routes,
    async (see) => {
      const product = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, product);
      const res = see(await api().post(`/api/v1/products/${product}/reviews`).set(buyer.headers).send({ rating: 5, title: 'x', helpfulCount: 999, status: 'published', accountId: alice.accountId }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['accountId', 'helpfulCount', 'status']);
      expect(await Review.countDocuments({ product })).toBe(0);
    },
  );

  attack(
    { id: 'MASS-10', vector: 'Moving or unhiding a review through an edit', route: 'PATCH /api/v1/reviews/:id', payload: 'PATCH /reviews/<own review> {"version":1,"productId":"<other>","status":"published","moderation":null} (as its author)', expected: '400 VALIDATION_FAILED (unknown fields), review unchanged' },
    routes,
    async (see) => {
      const res = see(await api().patch(`/api/v1/reviews/${aliceReview.id}`).set(alice.headers).send({ version: 1, productId: new Types.ObjectId().toString(), status: 'published', moderation: null }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect((await stored(aliceReview.id))!.product.toString()).toBe(productId);
    },
  );

  attack(
    { id: 'XSS-08', vector: 'Stored XSS in a review title or body', route: 'POST /api/v1/products/:id/reviews', payload: '{"rating":5,"title":"<img src=x onerror=alert(1)>","body":"<script>alert(1)</script>"}', expected: '400 VALIDATION_FAILED (text.markup for both), no review stored' },
    routes,
    async (see) => {
      const product = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, product);
      const res = see(await api().post(`/api/v1/products/${product}/reviews`).set(buyer.headers).send({ rating: 5, title: '<img src=x onerror=alert(1)>', body: '<script>alert(1)</script>' }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'title', type: 'text.markup' }), expect.objectContaining({ path: 'body', type: 'text.markup' })]);
      expect(await Review.countDocuments({ product })).toBe(0);
    },
  );

  attack(
    { id: 'NOSQL-09', vector: 'Operator as a review rating or list filter', route: 'GET /api/v1/products/:id/reviews', payload: 'GET /products/<id>/reviews?rating[$gt]=0; POST …/reviews {"rating":{"$gt":0},"title":"x"}', expected: '400 FORBIDDEN_KEY for both, nothing stored' },
    routes,
    async (see) => {
      expectErrorContract(see(await api().get(`/api/v1/products/${productId}/reviews?rating[$gt]=0`)), 400, 'FORBIDDEN_KEY');
      const product = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, product);
      expectErrorContract(await api().post(`/api/v1/products/${product}/reviews`).set(buyer.headers).send({ rating: { $gt: 0 }, title: 'x' }), 400, 'FORBIDDEN_KEY');
      expect(await Review.countDocuments({ product })).toBe(0);
    },
  );

  attack(
    { id: 'ABUSE-01', vector: 'Reviewing without a delivered purchase', route: 'POST /api/v1/products/:id/reviews', payload: '{"rating":1,"title":"Terrible"} from a fresh account with no order (a competitor)', expected: '403 NOT_VERIFIED_BUYER, no review, rating unchanged' },
    routes,
    async (see) => {
      const before = await ratingCount(productId);
      const competitor = await callerWithRole(ctx, 'customer');
      expectErrorContract(see(await api().post(`/api/v1/products/${productId}/reviews`).set(competitor.headers).send({ rating: 1, title: 'Terrible' })), 403, 'NOT_VERIFIED_BUYER');
      expect(await ratingCount(productId)).toBe(before);
    },
  );

  attack(
    { id: 'ABUSE-02', vector: 'Ballot stuffing: one buyer, many reviews at once', route: 'POST /api/v1/products/:id/reviews', payload: '10 parallel {"rating":5,"title":"Best"} by one verified buyer', expected: 'one 201, nine 409 REVIEW_EXISTS; the product counts one review' },
    routes,
    async (see) => {
      const product = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, product);
      const answers = await Promise.all(Array.from({ length: 10 }, () => api().post(`/api/v1/products/${product}/reviews`).set(buyer.headers).send({ rating: 5, title: 'Best' })));
      const statuses = answers.map((r) => r.status).sort();
      see(`${statuses.filter((s) => s === 201).length}× 201, ${statuses.filter((s) => s === 409).length}× 409 REVIEW_EXISTS`);
      expect(statuses).toEqual([201, ...Array(9).fill(409)]);
      expect(await ratingCount(product)).toBe(1);
    },
  );

  attack(
    { id: 'ABUSE-03', vector: 'Vote stuffing: one account, many helpful votes', route: 'POST /api/v1/reviews/:id/helpful', payload: "10 parallel POST /reviews/<alice's review>/helpful by one account", expected: 'all 200, the review gains exactly one vote' },
    routes,
    async (see) => {
      const stuffer = await callerWithRole(ctx, 'customer');
      const before = (await stored(aliceReview.id))!.helpfulCount;
      const answers = await Promise.all(Array.from({ length: 10 }, () => api().post(`/api/v1/reviews/${aliceReview.id}/helpful`).set(stuffer.headers)));
      see(`${answers.filter((r) => r.status === 200).length}× 200, +${(await stored(aliceReview.id))!.helpfulCount - before} vote`);
      expect(answers.every((r) => r.status === 200)).toBe(true);
      expect((await stored(aliceReview.id))!.helpfulCount).toBe(before + 1);
    },
  );

  attack(
    { id: 'ABUSE-04', vector: 'Voting for one\'s own review', route: 'POST /api/v1/reviews/:id/helpful', payload: "POST /reviews/<alice's review>/helpful (as alice)", expected: '403 OWN_REVIEW, count unchanged' },
    routes,
    async (see) => {
      const before = (await stored(aliceReview.id))!.helpfulCount;
      expectErrorContract(see(await api().post(`/api/v1/reviews/${aliceReview.id}/helpful`).set(alice.headers)), 403, 'OWN_REVIEW');
      expect((await stored(aliceReview.id))!.helpfulCount).toBe(before);
    },
  );

  attack(
    { id: 'ABUSE-05', vector: "A customer hiding a competitor's review", route: 'POST /api/v1/reviews/:id/hide', payload: "POST /reviews/<alice's review>/hide {\"reason\":\"spam\"} (as bob)", expected: '403 FORBIDDEN (staff only), review still published' },
    routes,
    async (see) => {
      expectErrorContract(see(await api().post(`/api/v1/reviews/${aliceReview.id}/hide`).set(bob.headers).send({ reason: 'spam' })), 403, 'FORBIDDEN');
      expect((await stored(aliceReview.id))!.status).toBe('published');
    },
  );
});

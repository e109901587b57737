// Reviews over HTTP: the verified-buyer rule, one review per product, the author's edits, staff
// moderation, helpful votes, and product aggregates that stay equal to a recount of the reviews —
// also under parallel reviews — with the product cache (real Redis) never serving stale ratings.
import { Types } from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { Review, ReviewVote } from '../support/models';
import { newProduct, orderIn, postReview, recount, shownAggregates, verifiedBuyer } from './reviews.fixture';

useTestDatabase();

describe('reviews', () => {
  let ctx: TestContext;
  let manager: TestCaller;
  const api = () => request(ctx.app);

  beforeAll(async () => {
    ctx = await createTestContext({ redis: true });
    manager = await callerWithRole(ctx, 'manager');
  });
  afterAll(async () => ctx.close());

  describe('POST /api/v1/products/:id/reviews', () => {
    it('when the customer never ordered the product, then 403 NOT_VERIFIED_BUYER and nothing is stored', async () => {
      const productId = await newProduct(ctx);
      const other = await newProduct(ctx);
      const stranger = await verifiedBuyer(ctx, other); // received another product only
      const res = await api().post(`/api/v1/products/${productId}/reviews`).set(stranger.headers).send({ rating: 5, title: 'Great' });
      expectErrorContract(res, 403, 'NOT_VERIFIED_BUYER');
      expect(await Review.countDocuments({ product: productId })).toBe(0);
    });

    it.each(['pending', 'paid', 'shipped', 'cancelled'] as const)('when the order with the product is %s (not delivered), then 403 NOT_VERIFIED_BUYER', async (status) => {
      const productId = await newProduct(ctx);
      const buyer = await callerWithRole(ctx, 'customer');
      await orderIn(buyer.accountId, [productId], status);
      const res = await api().post(`/api/v1/products/${productId}/reviews`).set(buyer.headers).send({ rating: 5, title: 'Great' });
      expectErrorContract(res, 403, 'NOT_VERIFIED_BUYER');
    });

    it('when a verified buyer reviews, then 201 with Location and ETag, and the product shows the rating', async () => {
      const productId = await newProduct(ctx);
      await shownAggregates(ctx, productId); // cached before the review
      const buyer = await verifiedBuyer(ctx, productId);
      const res = await api().post(`/api/v1/products/${productId}/reviews`).set(buyer.headers).send({ rating: 5, title: 'Great lamp', body: '5 < 6 & "fine"' });
      expectSuccess(res, 201);
      const review = res.body.data;
      expect(review).toMatchObject({ productId, rating: 5, title: 'Great lamp', body: '5 < 6 & "fine"', authorName: 'Test C.', helpfulCount: 0, status: 'published', version: 1, accountId: buyer.accountId });
      expect(res.headers.location).toBe(`/api/v1/reviews/${review.id}`);
      expect(res.headers.etag).toBe(`"${review.id}-v1"`);
      expect(await shownAggregates(ctx, productId)).toEqual({ ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 }, ratingCount: 1, ratingAverage: 5 });
    });

    it('when the buyer reviews the same product again, then 409 REVIEW_EXISTS names the first review and the aggregates count one', async () => {
      const productId = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, productId);
      const first = await postReview(ctx, buyer, productId, { rating: 2 });
      const res = await api().post(`/api/v1/products/${productId}/reviews`).set(buyer.headers).send({ rating: 5, title: 'Changed my mind' });
      expectErrorContract(res, 409, 'REVIEW_EXISTS');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'productId', reviewId: first.id })]);
      expect((await shownAggregates(ctx, productId)).ratingCount).toBe(1);
    });

    it('when the same review is retried with its Idempotency-Key, then the first answer is replayed and one review exists', async () => {
      const productId = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, productId);
      const send = () => api().post(`/api/v1/products/${productId}/reviews`).set(buyer.headers).set('Idempotency-Key', `review-${productId}`).send({ rating: 4, title: 'Retry safe' });
      const first = await send();
      const retry = await send();
      expectSuccess(first, 201);
      expectSuccess(retry, 201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.data.id).toBe(first.body.data.id);
      expect((await shownAggregates(ctx, productId)).ratingCount).toBe(1);
    });

    it('when rating, title or body break the rules (markup, 0 or 6 or 4.5 stars, unknown fields), then 400 and nothing is stored', async () => {
      const productId = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, productId);
      const bad = [
        [{ rating: 5, title: '<b>Great</b>' }, 'title'],
        [{ rating: 5, title: 'Fine', body: 'see <script>alert(1)</script>' }, 'body'],
        [{ rating: 0, title: 'Fine' }, 'rating'],
        [{ rating: 6, title: 'Fine' }, 'rating'],
        [{ rating: 4.5, title: 'Fine' }, 'rating'],
        [{ rating: 5 }, 'title'],
        [{ rating: 5, title: 'Fine', helpfulCount: 100 }, 'helpfulCount'],
      ] as const;
      for (const [body, path] of bad) {
        const res = await api().post(`/api/v1/products/${productId}/reviews`).set(buyer.headers).send(body);
        expectErrorContract(res, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual([expect.objectContaining({ path })]);
      }
      expect(await Review.countDocuments({ product: productId })).toBe(0);
    });

    it('when the product is unknown, a draft or deleted, then 404 PRODUCT_NOT_FOUND; without a token 401', async () => {
      const buyer = await callerWithRole(ctx, 'customer');
      const missing = new Types.ObjectId().toString();
      const [draft, deleted] = [await newProduct(ctx), await newProduct(ctx)];
      await orderIn(buyer.accountId, [missing, draft, deleted], 'delivered');
      await api().patch(`/api/v1/products/${draft}`).set(manager.headers).send({ version: 1, status: 'draft' }).expect(200);
      await api().delete(`/api/v1/products/${deleted}`).set(manager.headers).expect(204);
      for (const id of [missing, draft, deleted]) {
        expectErrorContract(await api().post(`/api/v1/products/${id}/reviews`).set(buyer.headers).send({ rating: 3, title: 'Hm' }), 404, 'PRODUCT_NOT_FOUND');
      }
      expectErrorContract(await api().post(`/api/v1/products/${draft}/reviews`).send({ rating: 3, title: 'Hm' }), 401);
    });
  });

  describe('PATCH and DELETE /api/v1/reviews/:id', () => {
    it('when the author edits the rating with If-Match, then the aggregates move from the old star to the new one', async () => {
      const productId = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, productId);
      const review = await postReview(ctx, buyer, productId, { rating: 2 });
      const res = await api().patch(`/api/v1/reviews/${review.id}`).set(buyer.headers).set('If-Match', review.etag).send({ rating: 4, title: 'Grew on me' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ rating: 4, title: 'Grew on me', body: 'Solid.', version: 2 });
      expect(res.headers.etag).toBe(`"${review.id}-v2"`);
      expect(await shownAggregates(ctx, productId)).toEqual({ ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 }, ratingCount: 1, ratingAverage: 4 });
    });

    it('when the edit is stale or carries no version, then 409 VERSION_CONFLICT / 428 VERSION_REQUIRED and nothing changes', async () => {
      const productId = await newProduct(ctx);
      const buyer = await verifiedBuyer(ctx, productId);
      const review = await postReview(ctx, buyer, productId, { rating: 3 });
      await api().patch(`/api/v1/reviews/${review.id}`).set(buyer.headers).send({ version: 1, title: 'Second thoughts' }).expect(200);
      expectErrorContract(await api().patch(`/api/v1/reviews/${review.id}`).set(buyer.headers).set('If-Match', review.etag).send({ rating: 1 }), 409, 'VERSION_CONFLICT');
      expectErrorContract(await api().patch(`/api/v1/reviews/${review.id}`).set(buyer.headers).send({ rating: 1 }), 428, 'VERSION_REQUIRED');
      expect((await Review.findById(review.id).lean())!.rating).toBe(3);
    });

    it("when another account (customer or staff) edits or deletes someone's review, then 404 REVIEW_NOT_FOUND, as for a missing one, and it stays", async () => {
      const productId = await newProduct(ctx);
      const author = await verifiedBuyer(ctx, productId);
      const other = await verifiedBuyer(ctx, productId);
      const review = await postReview(ctx, author, productId, { rating: 5 });
      for (const caller of [other, manager]) {
        expectErrorContract(await api().patch(`/api/v1/reviews/${review.id}`).set(caller.headers).set('If-Match', review.etag).send({ rating: 1 }), 404, 'REVIEW_NOT_FOUND');
        expectErrorContract(await api().delete(`/api/v1/reviews/${review.id}`).set(caller.headers), 404, 'REVIEW_NOT_FOUND');
      }
      const missing = await api().delete(`/api/v1/reviews/${new Types.ObjectId().toString()}`).set(other.headers);
      expectErrorContract(missing, 404, 'REVIEW_NOT_FOUND');
      expect((await Review.findById(review.id).lean())!.rating).toBe(5);
      expect((await shownAggregates(ctx, productId)).ratingCount).toBe(1);
    });

    it('when the author deletes their review, then 204, it leaves the aggregates with its votes, and a second delete is 404', async () => {
      const productId = await newProduct(ctx);
      const [author, fan] = [await verifiedBuyer(ctx, productId), await callerWithRole(ctx, 'customer')];
      const review = await postReview(ctx, author, productId, { rating: 1 });
      await api().post(`/api/v1/reviews/${review.id}/helpful`).set(fan.headers).expect(200);
      await api().delete(`/api/v1/reviews/${review.id}`).set(author.headers).expect(204);
      expect(await shownAggregates(ctx, productId)).toEqual({ ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, ratingCount: 0, ratingAverage: 0 });
      expect(await ReviewVote.countDocuments({ review: review.id })).toBe(0);
      expectErrorContract(await api().delete(`/api/v1/reviews/${review.id}`).set(author.headers), 404, 'REVIEW_NOT_FOUND');
      // Having deleted it, the buyer may write a new one.
      await postReview(ctx, author, productId, { rating: 3 });
    });
  });

  describe('moderation', () => {
    it('when staff hide a review with a reason, then it leaves the public list and the aggregates; its author still reads it with the reason', async () => {
      const productId = await newProduct(ctx);
      const [a, b] = [await verifiedBuyer(ctx, productId), await verifiedBuyer(ctx, productId)];
      const rude = await postReview(ctx, a, productId, { rating: 1 });
      await postReview(ctx, b, productId, { rating: 5 });
      const res = await api().post(`/api/v1/reviews/${rude.id}/hide`).set(manager.headers).send({ reason: 'Abusive language' });
      expectSuccess(res);
      expect(res.body.data).toMatchObject({ status: 'hidden', moderation: { reason: 'Abusive language', by: manager.accountId } });
      expect(await shownAggregates(ctx, productId)).toEqual({ ratingHistogram: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 }, ratingCount: 1, ratingAverage: 5 });
      expect(await shownAggregates(ctx, productId)).toEqual(await recount(productId));
      const list = await api().get(`/api/v1/products/${productId}/reviews`);
      expect(list.body.data.map((r: { id: string }) => r.id)).not.toContain(rude.id);
      expectErrorContract(await api().get(`/api/v1/reviews/${rude.id}`), 404, 'REVIEW_NOT_FOUND');
      const own = await api().get(`/api/v1/reviews/${rude.id}`).set(a.headers);
      expect(own.body.data).toMatchObject({ status: 'hidden', moderation: { reason: 'Abusive language' } });
      expect(own.body.data.moderation.by).toBeUndefined();
      // Staff find it again by status, hiding twice changes nothing, unhiding restores it.
      const hidden = await api().get(`/api/v1/products/${productId}/reviews?status=hidden`).set(manager.headers);
      expect(hidden.body.data.map((r: { id: string }) => r.id)).toEqual([rude.id]);
      await api().post(`/api/v1/reviews/${rude.id}/hide`).set(manager.headers).send({ reason: 'Again' }).expect(200);
      expect((await shownAggregates(ctx, productId)).ratingCount).toBe(1);
      await api().post(`/api/v1/reviews/${rude.id}/unhide`).set(manager.headers).expect(200);
      expect(await shownAggregates(ctx, productId)).toEqual({ ratingHistogram: { 1: 1, 2: 0, 3: 0, 4: 0, 5: 1 }, ratingCount: 2, ratingAverage: 3 });
    });

    it('when a customer tries to hide a review or list hidden ones, then 403 and nothing changes', async () => {
      const productId = await newProduct(ctx);
      const author = await verifiedBuyer(ctx, productId);
      const review = await postReview(ctx, author, productId);
      expectErrorContract(await api().post(`/api/v1/reviews/${review.id}/hide`).set(author.headers).send({ reason: 'x' }), 403, 'FORBIDDEN');
      expectErrorContract(await api().get(`/api/v1/products/${productId}/reviews?status=hidden`).set(author.headers), 403, 'FORBIDDEN');
      expectErrorContract(await api().get('/api/v1/reviews').set(author.headers), 403, 'FORBIDDEN');
      expect((await Review.findById(review.id).lean())!.status).toBe('published');
    });

    it('when a hidden review is edited by its author, then it stays out of the aggregates', async () => {
      const productId = await newProduct(ctx);
      const author = await verifiedBuyer(ctx, productId);
      const review = await postReview(ctx, author, productId, { rating: 2 });
      const hidden = await api().post(`/api/v1/reviews/${review.id}/hide`).set(manager.headers).send({ reason: 'Off topic' });
      await api().patch(`/api/v1/reviews/${review.id}`).set(author.headers).send({ version: hidden.body.data.version, rating: 5 }).expect(200);
      expect((await shownAggregates(ctx, productId)).ratingCount).toBe(0);
      await api().post(`/api/v1/reviews/${review.id}/unhide`).set(manager.headers).expect(200);
      expect(await shownAggregates(ctx, productId)).toEqual(await recount(productId));
      expect((await shownAggregates(ctx, productId)).ratingAverage).toBe(5);
    });
  });

  describe('helpful votes', () => {
    it('when an account votes twice (also in parallel), then the review counts one vote; withdrawing twice leaves zero', async () => {
      const productId = await newProduct(ctx);
      const author = await verifiedBuyer(ctx, productId);
      const fan = await callerWithRole(ctx, 'customer');
      const review = await postReview(ctx, author, productId);
      const first = await api().post(`/api/v1/reviews/${review.id}/helpful`).set(fan.headers);
      expectSuccess(first);
      expect(first.body.data.helpfulCount).toBe(1);
      const again = await Promise.all(Array.from({ length: 5 }, () => api().post(`/api/v1/reviews/${review.id}/helpful`).set(fan.headers)));
      for (const res of again) expect(res.body.data.helpfulCount).toBe(1);
      expect((await Review.findById(review.id).lean())!.helpfulCount).toBe(1);
      await api().delete(`/api/v1/reviews/${review.id}/helpful`).set(fan.headers).expect(204);
      await api().delete(`/api/v1/reviews/${review.id}/helpful`).set(fan.headers).expect(204);
      expect((await Review.findById(review.id).lean())!.helpfulCount).toBe(0);
    });

    it('when the author votes for their own review, then 403 OWN_REVIEW; on a hidden review, 404', async () => {
      const productId = await newProduct(ctx);
      const author = await verifiedBuyer(ctx, productId);
      const fan = await callerWithRole(ctx, 'customer');
      const review = await postReview(ctx, author, productId);
      expectErrorContract(await api().post(`/api/v1/reviews/${review.id}/helpful`).set(author.headers), 403, 'OWN_REVIEW');
      await api().post(`/api/v1/reviews/${review.id}/hide`).set(manager.headers).send({ reason: 'Spam' }).expect(200);
      expectErrorContract(await api().post(`/api/v1/reviews/${review.id}/helpful`).set(fan.headers), 404, 'REVIEW_NOT_FOUND');
      expect((await Review.findById(review.id).lean())!.helpfulCount).toBe(0);
    });
  });

  describe('GET /api/v1/products/:id/reviews', () => {
    let productId: string;
    let ids: Record<string, string>;

    beforeAll(async () => {
      productId = await newProduct(ctx);
      const buyers = await Promise.all([1, 2, 3, 4].map(() => verifiedBuyer(ctx, productId)));
      const fans = await Promise.all([1, 2].map(() => callerWithRole(ctx, 'customer')));
      ids = {};
      // Written one after another, so createdAt order is the write order.
      for (const [i, rating] of [3, 5, 1, 4].entries()) ids[`r${rating}`] = (await postReview(ctx, buyers[i]!, productId, { rating })).id;
      for (const fan of fans) await api().post(`/api/v1/reviews/${ids.r1}/helpful`).set(fan.headers).expect(200);
      await api().post(`/api/v1/reviews/${ids.r4}/helpful`).set(fans[0]!.headers).expect(200);
    });

    const order = async (query: string) => {
      const res = await api().get(`/api/v1/products/${productId}/reviews${query}`);
      expectSuccess(res);
      return res.body.data.map((r: { rating: number }) => r.rating);
    };

    it('when sorted newest, highest, lowest or most helpful, then the reviews come in that order', async () => {
      expect(await order('')).toEqual([4, 1, 5, 3]);
      expect(await order('?sort=rating:desc')).toEqual([5, 4, 3, 1]);
      expect(await order('?sort=rating:asc')).toEqual([1, 3, 4, 5]);
      expect((await order('?sort=helpful:desc')).slice(0, 2)).toEqual([1, 4]);
      expect(await order('?rating=5')).toEqual([5]);
    });

    it('when paged by cursor, then every review comes once; the public never sees account ids', async () => {
      const first = await api().get(`/api/v1/products/${productId}/reviews?pagination=cursor&limit=3&sort=rating:desc`);
      expectSuccess(first);
      expect(first.body.meta).toMatchObject({ pagination: 'cursor', hasNext: true });
      const next = await api().get(`/api/v1/products/${productId}/reviews?limit=3&sort=rating:desc&cursor=${first.body.meta.nextCursor}`);
      expect([...first.body.data, ...next.body.data].map((r: { rating: number }) => r.rating)).toEqual([5, 4, 3, 1]);
      expect(first.body.data.every((r: Record<string, unknown>) => r.accountId === undefined)).toBe(true);
      const offset = await api().get(`/api/v1/products/${productId}/reviews?page=2&limit=3`);
      expect(offset.body.meta).toMatchObject({ pagination: 'offset', total: 4, page: 2, totalPages: 2 });
    });

    it('when the product does not exist or the sort is unknown, then 404 / 400', async () => {
      expectErrorContract(await api().get(`/api/v1/products/${new Types.ObjectId().toString()}/reviews`), 404, 'PRODUCT_NOT_FOUND');
      expectErrorContract(await api().get(`/api/v1/products/${productId}/reviews?sort=title:asc`), 400, 'VALIDATION_FAILED');
    });

    it('when staff list all reviews, then they can filter by product and author', async () => {
      const res = await api().get(`/api/v1/reviews?productId=${productId}&sort=rating:asc`).set(manager.headers);
      expectSuccess(res);
      expect(res.body.data.map((r: { rating: number }) => r.rating)).toEqual([1, 3, 4, 5]);
      expect(res.body.data[0].accountId).toEqual(expect.any(String));
    });
  });

  describe('aggregates under concurrency', () => {
    it('when 30 verified buyers review one product in parallel, then count, histogram and average equal a recount of the reviews', async () => {
      const productId = await newProduct(ctx);
      const ratings = Array.from({ length: 30 }, (_, i) => (i * 7) % 5 + 1);
      const buyers = await Promise.all(ratings.map(() => verifiedBuyer(ctx, productId)));
      const results = await Promise.all(buyers.map((buyer, i) => api().post(`/api/v1/products/${productId}/reviews`).set(buyer.headers).send({ rating: ratings[i], title: `Buyer ${i}` })));
      expect(results.map((r) => r.status)).toEqual(ratings.map(() => 201));
      const expected = await recount(productId);
      expect(expected.ratingCount).toBe(30);
      expect(await shownAggregates(ctx, productId)).toEqual(expected);

      // Mixed concurrent changes: edits, deletes and hides at once, then a recount again.
      const reviews = results.map((r) => r.body.data as { id: string; version: number });
      const changes = reviews.map((review, i) => {
        const buyer = buyers[i]!;
        if (i % 3 === 0) return api().patch(`/api/v1/reviews/${review.id}`).set(buyer.headers).send({ version: review.version, rating: 5 - (i % 5) });
        if (i % 3 === 1) return api().delete(`/api/v1/reviews/${review.id}`).set(buyer.headers);
        return api().post(`/api/v1/reviews/${review.id}/hide`).set(manager.headers).send({ reason: 'Moderated in a batch' });
      });
      const answers = await Promise.all(changes);
      expect(answers.every((r) => r.status === 200 || r.status === 204)).toBe(true);
      expect(await shownAggregates(ctx, productId)).toEqual(await recount(productId));
      expect((await recount(productId)).ratingCount).toBe(10);
    });
  });
});

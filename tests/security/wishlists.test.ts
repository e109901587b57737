// Attack suite: wishlists — IDOR against the "own wishlist" routes. They take no account or
// wishlist id anywhere, so each attempt to name someone else's list must be refused as an unknown
// field, or act on the caller's own list; the victim's list is checked unchanged every time.
import { Types } from 'mongoose';
import request from 'supertest';
import { Product, Wishlist } from '../support/models';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertProducts } from '../integration/products.fixture';
import { attack } from './harness';

describe('attack suite: wishlists', () => {
  useTestDatabase();
  let ctx: TestContext;
  let alice: TestCaller;
  let bob: TestCaller;
  let productId: string;
  let aliceVariant: string;
  const routes = () => ctx.routes;
  const api = () => request(ctx.app);
  const aliceList = async () => Wishlist.findOne({ account: new Types.ObjectId(alice.accountId) }).lean();

  beforeAll(async () => {
    ctx = await createTestContext();
    [alice, bob] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'customer')]);
    [productId] = await insertProducts([{ name: 'Watched Lamp', price: 40, stock: 0 }]);
    aliceVariant = (await Product.findById(productId).lean())!.variants![0]._id.toString();
    expectSuccess(await api().post('/api/v1/wishlist/items').set(alice.headers).send({ productId }), 201);
  });

  attack(
    { id: 'IDOR-31', vector: "Reading another account's wishlist", route: 'GET /api/v1/wishlist', payload: 'GET /wishlist?account=<alice id> (as bob); GET /wishlist/<alice id>', expected: '400 VALIDATION_FAILED (unknown query field); no route takes an id (404); bob only ever sees his own list' },
    routes,
    async (see) => {
      const res = see(await api().get(`/api/v1/wishlist?account=${alice.accountId}`).set(bob.headers));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expectErrorContract(await api().get(`/api/v1/wishlist/${alice.accountId}`).set(bob.headers), 404);
      const own = await api().get('/api/v1/wishlist').set(bob.headers);
      expectSuccess(own);
      expect(own.body.data.items).toEqual([]);
    },
  );

  attack(
    { id: 'IDOR-32', vector: "Adding to another account's wishlist", route: 'POST /api/v1/wishlist/items', payload: '{"productId":"…","account":"<alice id>"} (as bob)', expected: '400 VALIDATION_FAILED (unknown field); neither list changes' },
    routes,
    async (see) => {
      const res = see(await api().post('/api/v1/wishlist/items').set(bob.headers).send({ productId, account: alice.accountId }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'account', type: 'object.unknown' })]);
      expect((await aliceList())!.items).toHaveLength(1);
      expect(await Wishlist.countDocuments({ account: new Types.ObjectId(bob.accountId) })).toBe(0);
    },
  );

  attack(
    { id: 'IDOR-33', vector: "Removing an item from another account's wishlist", route: 'DELETE /api/v1/wishlist/items/:variantId', payload: "DELETE /wishlist/items/<a variant on alice's list> (as bob)", expected: "204 on bob's own list (nothing to remove there); alice's item stays" },
    routes,
    async (see) => {
      const res = see(await api().delete(`/api/v1/wishlist/items/${aliceVariant}`).set(bob.headers));
      expect(res.status).toBe(204);
      expect((await aliceList())!.items.map((i) => i.variant.toString())).toEqual([aliceVariant]);
    },
  );

  attack(
    { id: 'IDOR-34', vector: "Turning off another account's back-in-stock emails", route: 'PATCH /api/v1/wishlist', payload: '{"notifyBackInStock":false,"accountId":"<alice id>"} (as bob)', expected: "400 VALIDATION_FAILED (unknown field); alice's setting unchanged" },
    routes,
    async (see) => {
      const res = see(await api().patch('/api/v1/wishlist').set(bob.headers).send({ notifyBackInStock: false, accountId: alice.accountId }));
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect((await aliceList())!.notifyBackInStock).toBe(true);
    },
  );

  attack(
    { id: 'NOSQL-31', vector: 'Operator as a wishlist product id', route: 'POST /api/v1/wishlist/items', payload: '{"productId":{"$ne":null}}', expected: '400 FORBIDDEN_KEY, nothing added' },
    routes,
    async (see) => {
      const res = see(await api().post('/api/v1/wishlist/items').set(bob.headers).send({ productId: { $ne: null } }));
      expectErrorContract(res, 400, 'FORBIDDEN_KEY');
      expect(await Wishlist.countDocuments({ account: new Types.ObjectId(bob.accountId) })).toBe(0);
    },
  );
});

// Wishlists over HTTP: the caller's own list (add / list / remove), variant-level items with the
// catalog's current name, SKU, options, price and availability, idempotent adds, the size bound
// under concurrent adds, the back-in-stock opt-out, and that no request reaches another account's list.
import { Types } from 'mongoose';
import request from 'supertest';
import { MAX_WISHLIST_ITEMS } from '../../src/models/Wishlist';
import { Product, Wishlist } from '../support/models';
import { ensureCategories } from '../support/categories';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { insertProducts } from './products.fixture';

useTestDatabase();

interface ItemBody {
  productId: string;
  variantId: string;
  availability: string;
  name: string | null;
  sku: string | null;
  optionValues: Record<string, string> | null;
  price: number | null;
  stock: number | null;
}

let seq = 0;
const sku = (label: string) => `WL-${label}-${Date.now().toString(36).toUpperCase()}-${(seq += 1)}`;

describe('wishlists', () => {
  let ctx: TestContext;
  let manager: TestCaller;
  const api = () => request(ctx.app);

  beforeAll(async () => {
    ctx = await createTestContext();
    manager = await callerWithRole(ctx, 'manager');
    await ensureCategories('apparel', 'kitchen');
  });

  const variantOf = async (productId: string, index = 0) => (await Product.findById(productId).lean())!.variants![index]._id.toString();
  const itemsOf = async (caller: TestCaller) => ((await Wishlist.findOne({ account: caller.accountId }).lean())?.items ?? []).map((i) => i.variant.toString());
  const add = (caller: TestCaller, body: Record<string, unknown>) => api().post('/api/v1/wishlist/items').set(caller.headers).send(body);

  /** A product with size options S and M through the API (two variants, own prices). */
  async function productWithSizes(): Promise<{ id: string; variants: { id: string; optionValues: Record<string, string> }[]; version: number }> {
    const created = await api().post('/api/v1/products').set(manager.headers).send({ name: 'Wool Sock', sku: sku('SOCK'), price: 9.5, category: 'apparel', stock: 3, status: 'active' });
    expectSuccess(created, 201);
    const { id, variants, version } = created.body.data;
    const named = await api().patch(`/api/v1/products/${id}/variants/${variants[0].id}`).set(manager.headers).send({ version, optionValues: { size: 'S' } });
    expectSuccess(named);
    const second = await api().post(`/api/v1/products/${id}/variants`).set(manager.headers).send({ version: named.body.data.version, sku: sku('SOCK-M'), optionValues: { size: 'M' }, price: 11, stock: 0 });
    expectSuccess(second, 201);
    return second.body.data;
  }

  describe('GET/POST/DELETE /api/v1/wishlist', () => {
    it('when a new account reads its wishlist, then it is empty with notifications on and the bound stated', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const res = await api().get('/api/v1/wishlist').set(alice.headers);
      expectSuccess(res);
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(res.body.data).toEqual({ notifyBackInStock: true, itemCount: 0, maxItems: MAX_WISHLIST_ITEMS, items: [] });
    });

    it('when a single-variant product is added by product id, then the item names its default variant with current name, SKU, price and availability', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const [soldOut] = await insertProducts([{ name: 'Sold Out Lamp', price: 24.99, stock: 0 }]);
      const variantId = await variantOf(soldOut);

      const res = await add(alice, { productId: soldOut });
      expectSuccess(res, 201);
      expect(res.headers.location).toBe(`/api/v1/wishlist/items/${variantId}`);
      expect(res.body.data).toMatchObject({ productId: soldOut, variantId, availability: 'out_of_stock', name: 'Sold Out Lamp', price: 24.99, stock: 0, optionValues: {} });

      const list = await api().get('/api/v1/wishlist').set(alice.headers);
      expectSuccess(list);
      expect(list.body.data.itemCount).toBe(1);
      expect(list.body.data.items[0]).toMatchObject({ variantId, sku: res.body.data.sku, addedAt: expect.any(String) });
    });

    it('when the same variant is added again, and ten times at once, then the list holds it once and the repeats answer 200', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const [lamp] = await insertProducts([{ name: 'Desk Lamp', price: 30, stock: 4 }]);
      expectSuccess(await add(alice, { productId: lamp }), 201);
      const again = await add(alice, { productId: lamp });
      expectSuccess(again, 200);
      expect(again.body.data).toMatchObject({ productId: lamp, availability: 'in_stock' });

      const [vase] = await insertProducts([{ name: 'Vase', price: 12, stock: 1 }]);
      const racing = await Promise.all(Array.from({ length: 10 }, () => add(alice, { productId: vase })));
      expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect(await itemsOf(alice)).toEqual([await variantOf(lamp), await variantOf(vase)]);
    });

    it('when a product has several variants, then the variant must be named, and the item shows its options and own price', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const sock = await productWithSizes();
      const medium = sock.variants.find((v) => v.optionValues.size === 'M')!;

      const unnamed = await add(alice, { productId: sock.id });
      expectErrorContract(unnamed, 400, 'VARIANT_REQUIRED');
      expect(unnamed.body.details).toEqual([expect.objectContaining({ path: 'variantId' })]);

      const res = await add(alice, { productId: sock.id, variantId: medium.id });
      expectSuccess(res, 201);
      expect(res.body.data).toMatchObject({ variantId: medium.id, optionValues: { size: 'M' }, price: 11, availability: 'out_of_stock' });
      expect(await itemsOf(alice)).toEqual([medium.id]);
    });

    it('when the product is unknown, a draft, deleted, or the variant is not its own, then 404 and the list is unchanged', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const [draft, deleted, listed, other] = await insertProducts([
        { name: 'Draft Chair', price: 50, status: 'draft' },
        { name: 'Deleted Chair', price: 50, deleted: true },
        { name: 'Listed Chair', price: 50 },
        { name: 'Other Chair', price: 50 },
      ]);
      for (const productId of [new Types.ObjectId().toHexString(), draft, deleted]) expectErrorContract(await add(alice, { productId }), 404, 'PRODUCT_NOT_FOUND');
      expectErrorContract(await add(alice, { productId: listed, variantId: await variantOf(other) }), 404, 'VARIANT_NOT_FOUND');
      expect(await itemsOf(alice)).toEqual([]);
    });

    it('when the input is invalid, then 400 names the field and nothing is added', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const [chair] = await insertProducts([{ name: 'Chair', price: 40 }]);
      const bad = [
        [{ productId: 'not-an-id' }, 'productId'],
        [{}, 'productId'],
        [{ productId: chair, variantId: '123' }, 'variantId'],
        [{ productId: chair, quantity: 2 }, 'quantity'],
        [{ productId: { $ne: null } }, 'productId'],
      ] as const;
      for (const [body, path] of bad) {
        const res = await add(alice, body);
        expect(res.status).toBe(400);
        expectErrorContract(res, 400);
        expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining(path) })]));
      }
      expectErrorContract(await api().delete('/api/v1/wishlist/items/xyz').set(alice.headers), 400, 'VALIDATION_FAILED');
      expectErrorContract(await api().patch('/api/v1/wishlist').set(alice.headers).send({ notifyBackInStock: 'sometimes' }), 400, 'VALIDATION_FAILED');
      expect(await Wishlist.countDocuments({ account: alice.accountId })).toBe(0);
    });

    it('when an item is removed, then it is gone; removing it again, or one never added, answers 204 as well', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const [a, b] = await insertProducts([{ name: 'Mug A', price: 8 }, { name: 'Mug B', price: 8 }]);
      expectSuccess(await add(alice, { productId: a }), 201);
      expectSuccess(await add(alice, { productId: b }), 201);
      const variantA = await variantOf(a);

      expect((await api().delete(`/api/v1/wishlist/items/${variantA}`).set(alice.headers)).status).toBe(204);
      expect((await api().delete(`/api/v1/wishlist/items/${variantA}`).set(alice.headers)).status).toBe(204);
      expect((await api().delete(`/api/v1/wishlist/items/${new Types.ObjectId().toHexString()}`).set(alice.headers)).status).toBe(204);
      expect(await itemsOf(alice)).toEqual([await variantOf(b)]);
    });

    it('when not signed in, then every wishlist endpoint answers 401', async () => {
      const [a] = await insertProducts([{ name: 'Pen', price: 2 }]);
      expectErrorContract(await api().get('/api/v1/wishlist'), 401);
      expectErrorContract(await api().post('/api/v1/wishlist/items').send({ productId: a }), 401);
      expectErrorContract(await api().patch('/api/v1/wishlist').send({ notifyBackInStock: false }), 401);
      expectErrorContract(await api().delete(`/api/v1/wishlist/items/${await variantOf(a)}`), 401);
    });
  });

  describe('bounds', () => {
    it(`when the list holds ${MAX_WISHLIST_ITEMS} items, then another add is 409 WISHLIST_FULL and re-adding one already there still answers 200`, async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const ids = await insertProducts(Array.from({ length: MAX_WISHLIST_ITEMS + 1 }, (_, i) => ({ name: `Bound Item ${i}`, price: 1 })));
      const docs = await Product.find({ _id: { $in: ids } }, { variants: 1 }).lean();
      const variant = new Map(docs.map((d) => [d._id.toString(), d.variants![0]._id]));
      const items = ids.slice(0, MAX_WISHLIST_ITEMS).map((id) => ({ product: new Types.ObjectId(id), variant: variant.get(id)!, addedAt: new Date() }));
      await Wishlist.collection.insertOne({ account: new Types.ObjectId(alice.accountId), items, notifyBackInStock: true });

      const full = await add(alice, { productId: ids[MAX_WISHLIST_ITEMS] });
      expectErrorContract(full, 409, 'WISHLIST_FULL');
      expectSuccess(await add(alice, { productId: ids[0] }), 200);
      expect(await itemsOf(alice)).toHaveLength(MAX_WISHLIST_ITEMS);
    });

    it('when five different variants are added at once to a list one short of the bound, then exactly one is added and four get 409', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const ids = await insertProducts(Array.from({ length: MAX_WISHLIST_ITEMS + 4 }, (_, i) => ({ name: `Race Item ${i}`, price: 1 })));
      const docs = await Product.find({ _id: { $in: ids } }, { variants: 1 }).lean();
      const variant = new Map(docs.map((d) => [d._id.toString(), d.variants![0]._id]));
      const items = ids.slice(0, MAX_WISHLIST_ITEMS - 1).map((id) => ({ product: new Types.ObjectId(id), variant: variant.get(id)!, addedAt: new Date() }));
      await Wishlist.collection.insertOne({ account: new Types.ObjectId(alice.accountId), items, notifyBackInStock: true });

      const results = await Promise.all(ids.slice(MAX_WISHLIST_ITEMS - 1).map((productId) => add(alice, { productId })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(await itemsOf(alice)).toHaveLength(MAX_WISHLIST_ITEMS);
    });
  });

  describe('what the list shows', () => {
    it('when the catalog changes after an item was added, then the list shows the current price and availability, and an unlisted product shows no catalog data', async () => {
      const alice = await callerWithRole(ctx, 'customer');
      const created = await api().post('/api/v1/products').set(manager.headers).send({ name: 'Kettle', sku: sku('KETTLE'), price: 35, category: 'kitchen', stock: 0, status: 'active' });
      expectSuccess(created, 201);
      const kettle = created.body.data;
      const [toaster] = await insertProducts([{ name: 'Toaster', price: 20 }]);
      expectSuccess(await add(alice, { productId: kettle.id }), 201);
      expectSuccess(await add(alice, { productId: toaster }), 201);

      const changed = await api().patch(`/api/v1/products/${kettle.id}`).set(manager.headers).send({ version: kettle.version, price: 29.9, stock: 6 });
      expectSuccess(changed);
      await Product.updateOne({ _id: toaster }, { $set: { status: 'draft' } });

      const list = await api().get('/api/v1/wishlist').set(alice.headers);
      expectSuccess(list);
      const [first, second] = list.body.data.items as ItemBody[];
      expect(first).toMatchObject({ productId: kettle.id, name: 'Kettle', price: 29.9, stock: 6, availability: 'in_stock' });
      expect(second).toMatchObject({ productId: toaster, availability: 'unavailable', name: null, sku: null, price: null, stock: null, optionValues: null });
    });

    it('when back-in-stock emails are turned off and on, then the setting is stored on the caller’s list only', async () => {
      const [alice, bob] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'customer')]);
      const off = await api().patch('/api/v1/wishlist').set(alice.headers).send({ notifyBackInStock: false });
      expectSuccess(off);
      expect(off.body.data).toMatchObject({ notifyBackInStock: false, items: [] });
      expect((await api().get('/api/v1/wishlist').set(alice.headers)).body.data.notifyBackInStock).toBe(false);
      expect((await api().get('/api/v1/wishlist').set(bob.headers)).body.data.notifyBackInStock).toBe(true);
      expectSuccess(await api().patch('/api/v1/wishlist').set(alice.headers).send({ notifyBackInStock: true }));
      expect((await Wishlist.findOne({ account: alice.accountId }).lean())!.notifyBackInStock).toBe(true);
    });
  });

  describe('own data only', () => {
    it('when bob reads, adds and removes, then he only ever sees and changes his own list, never alice’s', async () => {
      const [alice, bob] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'customer')]);
      const [a, b] = await insertProducts([{ name: 'Alice Thing', price: 5 }, { name: 'Bob Thing', price: 5 }]);
      expectSuccess(await add(alice, { productId: a }), 201);
      const aliceVariant = await variantOf(a);

      const bobsView = await api().get('/api/v1/wishlist').set(bob.headers);
      expect(bobsView.body.data.items).toEqual([]);
      // No parameter names an account: the attempts are refused as unknown fields, or simply act on bob's list.
      expectErrorContract(await api().get(`/api/v1/wishlist?account=${alice.accountId}`).set(bob.headers), 400, 'VALIDATION_FAILED');
      expectErrorContract(await add(bob, { productId: b, account: alice.accountId }), 400, 'VALIDATION_FAILED');
      expect((await api().delete(`/api/v1/wishlist/items/${aliceVariant}`).set(bob.headers)).status).toBe(204);
      expect((await api().get(`/api/v1/wishlist/${alice.accountId}`).set(bob.headers)).status).toBe(404);

      expect(await itemsOf(alice)).toEqual([aliceVariant]);
      expect(await itemsOf(bob)).toEqual([]);
    });
  });
});

// The one listing grammar over HTTP, for every collection: `sort=field:dir`, `pagination=cursor`,
// signed cursors bound to their sort, and the same `meta`. Each walk has ties in its sort key, so
// only the `_id` tie-break keeps pages from repeating or skipping rows.
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, registerAndLogin, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { placeOrder, productsWithStock } from './orders.fixture';
import { insertProducts } from './products.fixture';

useTestDatabase();

interface Collection {
  readonly name: string;
  /** Path + filter confining the list to this test's rows; the sort has ties inside it. */
  readonly path: () => string;
  readonly sort: string;
  readonly otherSort: string;
  readonly expected: () => string[];
  readonly caller: () => TestCaller;
}

describe('listing grammar (accounts, products, orders)', () => {
  let ctx: TestContext;
  let admin: TestCaller;
  const tag = `walk${Date.now()}`;
  const ids = { accounts: [] as string[], products: [] as string[], orders: [] as string[] };
  let account: string;

  beforeAll(async () => {
    ctx = await createTestContext({ redis: false });
    admin = await callerWithRole(ctx, 'admin');
    // Accounts: 7 with the same lastName (registerAndLogin), so `lastName:asc` ties throughout.
    for (let i = 0; i < 7; i += 1) ids.accounts.push((await registerAndLogin(ctx, { email: `${tag}-${i}@example.test` })).accountId);
    // Products: 7 in one category, prices in pairs (ties).
    ids.products = await insertProducts(Array.from({ length: 7 }, (_, i) => ({ name: `${tag} P${i}`, price: 5 + Math.floor(i / 2), category: tag, stock: 100 })));
    // Orders: 7 of one buyer with equal totals (ties on `total`).
    const buyer = await callerWithRole(ctx, 'customer');
    account = buyer.accountId;
    const [product] = await productsWithStock(100);
    for (let i = 0; i < 7; i += 1) ids.orders.push((await placeOrder(ctx, buyer.headers, [{ productId: product!, quantity: 1 }])).id);
  });
  afterAll(async () => ctx.close());

  const collections: Collection[] = [
    { name: 'accounts', path: () => `/api/v1/accounts?email=${tag}`, sort: 'lastName:asc', otherSort: 'createdAt:desc', expected: () => ids.accounts, caller: () => admin },
    { name: 'products', path: () => `/api/v1/products?category=${tag}`, sort: 'price:desc', otherSort: 'price:asc', expected: () => ids.products, caller: () => admin },
    { name: 'orders', path: () => `/api/v1/orders?account=${account}`, sort: 'total:desc', otherSort: 'createdAt:desc', expected: () => ids.orders, caller: () => admin },
  ];

  const get = (c: Collection, query: string) => request(ctx.app).get(`${c.path()}&${query}`).set(c.caller().headers);

  describe.each(collections)('GET $name', (c) => {
    it('when a cursor walk runs with ties in the sort key, then every row comes back exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await get(c, `sort=${c.sort}&limit=2&${cursor ? `cursor=${cursor}` : 'pagination=cursor'}`);
        expectSuccess(res);
        expect(Object.keys(res.body.meta).sort()).toEqual(['hasNext', 'limit', 'nextCursor', 'pagination']);
        expect(res.body.meta.pagination).toBe('cursor');
        seen.push(...res.body.data.map((row: { id: string }) => row.id));
        cursor = res.body.meta.nextCursor;
        expect(res.body.meta.hasNext).toBe(cursor !== null);
        pages += 1;
      } while (cursor && pages < 20);
      expect(seen).toHaveLength(c.expected().length);
      expect([...seen].sort()).toEqual([...c.expected()].sort());
      expect(pages).toBe(4);
    });

    it('when offset pages are asked for, then meta carries the same offset shape', async () => {
      const res = await get(c, `sort=${c.sort}&limit=3&page=2`);
      expectSuccess(res);
      expect(res.body.meta).toEqual({ pagination: 'offset', page: 2, limit: 3, total: 7, totalPages: 3, hasNext: true, hasPrev: true });
    });

    it('when a cursor is tampered with, then 400 and nothing is listed', async () => {
      const first = await get(c, `sort=${c.sort}&limit=2&pagination=cursor`);
      const [body, mac] = (first.body.meta.nextCursor as string).split('.');
      const edited = Buffer.from(Buffer.from(body!, 'base64url').toString('utf8').replace('"v":1', '"v":1 ')).toString('base64url');
      expectErrorContract(await get(c, `sort=${c.sort}&limit=2&cursor=${edited}.${mac}`), 400, 'VALIDATION_FAILED');
      expectErrorContract(await get(c, `sort=${c.sort}&limit=2&cursor=${body}.${mac!.slice(0, -2)}AA`), 400, 'VALIDATION_FAILED');
    });

    it('when a cursor from another sort is sent, then 400 VALIDATION_FAILED naming the cursor', async () => {
      const first = await get(c, `sort=${c.sort}&limit=2&pagination=cursor`);
      const res = await get(c, `sort=${c.otherSort}&limit=2&cursor=${first.body.meta.nextCursor}`);
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details[0]).toMatchObject({ path: 'cursor' });
    });

    it('when the sort names a field outside the whitelist or repeats one, then 400 VALIDATION_FAILED', async () => {
      expectErrorContract(await get(c, 'sort=password:asc'), 400, 'VALIDATION_FAILED');
      expectErrorContract(await get(c, `sort=${c.sort},${c.sort}`), 400, 'VALIDATION_FAILED');
      expectErrorContract(await get(c, 'sort=_id:asc'), 400, 'VALIDATION_FAILED');
    });
  });
});

// The query engine over HTTP against a seeded fixture: the documented example, every filter,
// sorting with ties, offset and cursor pagination, permissions and facets.
import request from 'supertest';
import { callerWithRole } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { clearProducts, insertProducts } from './products.fixture';

// One database for the file; each describe clears and arranges its own products.
useTestDatabase();

describe('GET /api/v1/products', () => {
  let ctx: TestContext;
  let staff: { Authorization: string };
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext();
    staff = (await callerWithRole(ctx, 'manager')).headers;
    await clearProducts();
    ids = await insertProducts([
      /* 0 */ { name: 'Apple iPhone 13', price: 499.99, tags: ['apple', 'phone'], ratingAverage: 4.6 },
      /* 1 */ { name: 'Samsung Galaxy Phone S21', price: 399, tags: ['samsung', 'android'], ratingAverage: 4.2 },
      /* 2 */ { name: 'Samsung Galaxy A52', price: 299.5, tags: ['samsung'], description: 'A mid-range PHONE with a big battery' },
      /* 3 */ { name: 'Apple iPhone SE', price: 299.5, tags: ['apple', 'phone'], stock: 0 },
      /* 4 */ { name: 'Apple iPhone 15 Pro', price: 999, tags: ['apple', 'phone'], ratingAverage: 4.9 },
      /* 5 */ { name: 'Google Pixel Phone', price: 450, tags: ['google', 'phone'] },
      /* 6 */ { name: 'Apple Watch', price: 399, tags: ['apple', 'watch'], category: 'wearables' },
      /* 7 */ { name: 'Samsung Phone Case', price: 19.99, tags: ['samsung', 'accessory'], category: 'accessories' },
      /* 8 */ { name: 'Samsung Galaxy Phone Draft', price: 300, tags: ['samsung'], status: 'draft' },
      /* 9 */ { name: 'Apple iPhone 12 Deleted', price: 350, tags: ['apple'], deleted: true },
      /* 10 */ { name: 'Headphones by Apple', price: 100, tags: ['apple', 'audio'], category: 'audio', ratingAverage: 3.1 },
      /* 11 */ { name: 'Samsung Phone 500', price: 500, tags: ['samsung'] },
      /* 12 */ { name: 'Nokia phone', price: 200, tags: ['nokia'], ratingAverage: 2.5 },
    ]);
  });
  afterAll(async () => ctx.close());

  const get = (query: string, headers: Record<string, string> = {}) => request(ctx.app).get(`/api/v1/products${query}`).set(headers);
  const idsOf = (res: request.Response) => (res.body.data as { id: string }[]).map((p) => p.id);

  it('when the documented example is requested, then exactly the matching products come back by price desc, ties by id', async () => {
    const res = await get('?search=phone&minPrice=100&maxPrice=500&sort=price:desc&tags=apple,samsung');
    expectSuccess(res);
    expect(idsOf(res)).toEqual([ids[11], ids[0], ids[1], ids[3], ids[2], ids[10]]);
    expect(res.body.data[1]).toMatchObject({ name: 'Apple iPhone 13', price: 499.99, currency: 'USD', tags: ['apple', 'phone'] });
    expect(res.body.meta).toMatchObject({ pagination: 'offset', page: 1, limit: 20, total: 6, totalPages: 1, hasNext: false });
  });

  it('when searching, then every term must match (searchMode=any matches either) and input is literal', async () => {
    expect(idsOf(await get('?search=apple%20iphone&sort=price:asc'))).toEqual([ids[3], ids[0], ids[4]]);
    const any = await get('?search=watch%20nokia&searchMode=any&sort=price:asc');
    expect(idsOf(any)).toEqual([ids[12], ids[6]]);
    const literal = await get('?search=.*');
    expectSuccess(literal);
    expect(literal.body.data).toEqual([]);
  });

  it('when searchMode=text and sort=relevance, then the text index ranks name matches first', async () => {
    const res = await get('?search=watch&searchMode=text&sort=relevance');
    expectSuccess(res);
    expect(idsOf(res)).toEqual([ids[6]]);
  });

  it('when filtering by category, tags (any/all), inStock, minRating and created range, then each narrows the set', async () => {
    expect(idsOf(await get('?category=wearables'))).toEqual([ids[6]]);
    expect(idsOf(await get('?tags=google&tags=nokia&sort=price:asc'))).toEqual([ids[12], ids[5]]);
    expect(idsOf(await get('?tags=apple,phone&tagsMode=all&sort=price:asc'))).toEqual([ids[3], ids[0], ids[4]]);
    expect(idsOf(await get('?inStock=true&limit=100'))).not.toContain(ids[3]);
    expect(idsOf(await get('?inStock=false'))).toEqual([ids[3]]);
    expect(idsOf(await get('?minRating=4.5&sort=ratingAverage:desc'))).toEqual([ids[4], ids[0]]);
    const from = new Date(Date.UTC(2026, 0, 1) + 4 * 60_000).toISOString();
    const to = new Date(Date.UTC(2026, 0, 1) + 6 * 60_000).toISOString();
    expect(idsOf(await get(`?createdFrom=${from}&createdTo=${to}&sort=createdAt:asc`))).toEqual([ids[4], ids[5], ids[6]]);
    expect(idsOf(await get(`?createdTo=${new Date(Date.UTC(2026, 0, 1) + 60_000).toISOString()}&sort=createdAt:asc`))).toEqual([ids[0], ids[1]]);
    expect(idsOf(await get(`?createdFrom=${new Date(Date.UTC(2026, 0, 1) + 11 * 60_000).toISOString()}&sort=createdAt:asc`))).toEqual([ids[11], ids[12]]);
  });

  it('when price bounds are given, then they are inclusive and exact to the cent', async () => {
    expect(idsOf(await get('?minPrice=499.99&maxPrice=500&sort=price:asc'))).toEqual([ids[0], ids[11]]);
    expect(idsOf(await get('?maxPrice=19.99'))).toEqual([ids[7]]);
    expect(idsOf(await get('?minPrice=999'))).toEqual([ids[4]]);
  });

  it('when fields is given, then only those fields (and id) are returned', async () => {
    const res = await get('?fields=name,price&sort=price:desc&limit=1');
    expect(res.body.data).toEqual([{ id: ids[4], name: 'Apple iPhone 15 Pro', price: 999 }]);
  });

  it.each([
    ['?minPrice=500&maxPrice=100', 'maxPrice'],
    ['?minPrice=10.001', 'minPrice'],
    ['?limit=101', 'limit'],
    ['?sort=stock:asc', 'sort'],
    ['?sort=price:sideways', 'sort'],
    ['?sort=relevance', 'sort'],
    ['?fields=password', 'fields'],
    ['?sort=price:asc&sort=name:asc', 'sort'],
    ['?createdFrom=2026-02-01&createdTo=2026-01-01', 'createdTo'],
    ['?search=' + 'x'.repeat(101), 'search'],
    ['?color=red', 'color'],
  ])('when the query is %s, then 400 VALIDATION_FAILED names %s and nothing runs', async (query, path) => {
    const res = await get(query);
    expectErrorContract(res, 400, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'query', path })]));
  });

  it('when the query carries a bracketed operator (?minPrice[$ne]=1), then 400 FORBIDDEN_KEY names it', async () => {
    const res = await get('?minPrice[$ne]=1');
    expectErrorContract(res, 400, 'FORBIDDEN_KEY');
    expect(res.body.details).toEqual([expect.objectContaining({ location: 'query', path: 'minPrice[$ne]' })]);
  });

  describe('visibility', () => {
    it('when the public lists, then drafts and deleted products are hidden', async () => {
      const res = await get('?limit=100');
      expect(res.body.meta.total).toBe(11);
      expect(idsOf(res)).not.toEqual(expect.arrayContaining([ids[8]]));
      expect(idsOf(res)).not.toEqual(expect.arrayContaining([ids[9]]));
    });

    it('when staff list, then drafts show; includeDeleted and onlyDeleted add deleted ones', async () => {
      expect((await get('?limit=100', staff)).body.meta.total).toBe(12);
      expect((await get('?limit=100&status=draft', staff)).body.data.map((p: { id: string }) => p.id)).toEqual([ids[8]]);
      expect((await get('?limit=100&includeDeleted=true', staff)).body.meta.total).toBe(13);
      const only = await get('?onlyDeleted=true', staff);
      expect(idsOf(only)).toEqual([ids[9]]);
      expect(only.body.data[0].deletedAt).toEqual(expect.any(String));
    });

    it.each(['includeDeleted=true', 'onlyDeleted=true', 'status=draft'])('when a customer sends %s, then 403 FORBIDDEN', async (query) => {
      const customer = (await callerWithRole(ctx, 'customer')).headers;
      expectErrorContract(await get(`?${query}`, customer), 403, 'FORBIDDEN');
      expectErrorContract(await get(`?${query}`), 403, 'FORBIDDEN');
    });
  });
});

describe('GET /api/v1/products pagination', () => {
  let ctx: TestContext;
  let all: string[];

  beforeAll(async () => {
    ctx = await createTestContext();
    await clearProducts();
    // 23 products on only 4 distinct prices: most of the order comes from the _id tie-breaker.
    await insertProducts(Array.from({ length: 23 }, (_, i) => ({ name: `Tie ${i}`, price: [10, 20, 20, 30][i % 4], tags: ['tie'] })));
    const full = await request(ctx.app).get('/api/v1/products?sort=price:asc&limit=100');
    all = full.body.data.map((p: { id: string }) => p.id);
  });
  afterAll(async () => ctx.close());

  it('when paging by offset, then pages concatenate to the full order with correct totals', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 5; page += 1) {
      const res = await request(ctx.app).get(`/api/v1/products?sort=price:asc&limit=5&page=${page}`);
      expectSuccess(res);
      expect(res.body.meta).toMatchObject({ page, limit: 5, total: 23, totalPages: 5, hasNext: page < 5, hasPrev: page > 1 });
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
    }
    expect(seen).toEqual(all);
    const beyond = await request(ctx.app).get('/api/v1/products?sort=price:asc&limit=5&page=6');
    expect(beyond.body.data).toEqual([]);
  });

  it('when paging by cursor, then every product appears exactly once in the same order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `cursor=${cursor}` : 'pagination=cursor';
      const res = await request(ctx.app).get(`/api/v1/products?sort=price:asc&limit=4&${query}`);
      expectSuccess(res);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      cursor = res.body.meta.nextCursor;
      expect(res.body.meta.hasNext).toBe(cursor !== null);
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(6);
    expect(seen).toEqual(all);
  });

  it('when a cursor is tampered with or reused with another sort, then 400 VALIDATION_FAILED on cursor', async () => {
    const first = await request(ctx.app).get('/api/v1/products?sort=price:asc&limit=4&pagination=cursor');
    const cursor: string = first.body.meta.nextCursor;
    const [body, mac] = cursor.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload.k[0] = 0;
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    for (const query of [`sort=price:asc&cursor=${forged}`, `sort=name:asc&cursor=${cursor}`, `sort=price:asc&cursor=${cursor}&page=2`]) {
      const res = await request(ctx.app).get(`/api/v1/products?${query}`);
      expectErrorContract(res, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'cursor' })]);
    }
  });
});

describe('GET /api/v1/products/facets', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext();
    await clearProducts();
    const categories = ['phones', 'audio', 'wearables'];
    await insertProducts(
      Array.from({ length: 30 }, (_, i) => ({
        name: `Facet item ${i}`,
        price: [5, 30, 75, 120, 300, 700, 3000][i % 7],
        category: categories[i % 3],
        tags: [['red', 'blue'], ['blue'], ['green', 'red', 'blue']][i % 3],
        status: i === 29 ? ('draft' as const) : ('active' as const),
      })),
    );
  });
  afterAll(async () => ctx.close());

  it('when facets are requested with the list filters, then every count equals the matching list total', async () => {
    const filters = 'minPrice=10';
    const res = await request(ctx.app).get(`/api/v1/products/facets?${filters}`);
    expectSuccess(res);
    const listTotal = async (extra: string, base = filters) =>
      (await request(ctx.app).get(`/api/v1/products?${base}${extra}&limit=1`)).body.meta.total as number;
    expect(res.body.data.total).toBe(await listTotal(''));
    for (const { value, count } of res.body.data.categories) expect(count).toBe(await listTotal(`&category=${value}`));
    for (const { value, count } of res.body.data.tags) expect(count).toBe(await listTotal(`&tags=${value}`));
    for (const { min, max, count } of res.body.data.priceBuckets) {
      const upper = max === null ? '' : `&maxPrice=${max - 0.01}`;
      expect(count).toBe(await listTotal(`${upper}`, `minPrice=${Math.max(min, 10)}`));
    }
    const bucketSum = res.body.data.priceBuckets.reduce((sum: number, b: { count: number }) => sum + b.count, 0);
    expect(bucketSum).toBe(res.body.data.total);
  });

  it('when tagLimit is 1, then only the most frequent tag is returned', async () => {
    const res = await request(ctx.app).get('/api/v1/products/facets?tagLimit=1');
    expect(res.body.data.tags).toEqual([{ value: 'blue', count: 29 }]);
  });
});

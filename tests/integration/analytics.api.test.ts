// GET /api/v1/analytics/*: buckets in the caller's time zone (across a Europe/Berlin DST change),
// totals and the previous period, tops, low stock; admin only; bad ranges are 400 in the contract.
import { Types } from 'mongoose';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { eventsFor, insertOrder } from './analytics.fixture';
import { insertProducts } from './products.fixture';

useTestDatabase();

describe('GET /api/v1/analytics', () => {
  let ctx: TestContext;
  let admin: TestCaller;
  let customer: TestCaller;
  let products: string[];

  const get = (path: string, caller: TestCaller = admin) => request(ctx.app).get(`/api/v1/analytics${path}`).set(caller.headers);

  beforeAll(async () => {
    ctx = await createTestContext();
    [admin, customer] = await Promise.all([callerWithRole(ctx, 'admin'), callerWithRole(ctx, 'customer')]);
    products = await insertProducts([
      { name: 'Analytics Phone', price: 100, category: 'phones', stock: 2 },
      { name: 'Analytics Cable', price: 5, category: 'cables', stock: 50 },
    ]);
    const alice = new Types.ObjectId();
    const bob = new Types.ObjectId();
    // Berlin leaves CET (+1) for CEST (+2) at 2026-03-29T01:00Z; the local 29th is 23 hours long.
    const paid = async (account: Types.ObjectId, at: string, lines: { p: number; q: number }[], cancelledAt?: string) => {
      const changes = [{ status: 'paid' as const, at: new Date(at) }, ...(cancelledAt ? [{ status: 'cancelled' as const, at: new Date(cancelledAt) }] : [])];
      const id = await insertOrder(account, lines.map((l) => ({ productId: products[l.p], quantity: l.q, unitPriceMinor: l.p === 0 ? 10_000 : 500 })), new Date(new Date(at).getTime() - 60_000), changes);
      for (const event of eventsFor(id, changes)) await ctx.container.analytics.applyEvent(event);
    };
    await paid(alice, '2026-03-28T22:30:00Z', [{ p: 0, q: 1 }]); // Berlin 23:30 on the 28th
    await paid(bob, '2026-03-28T23:30:00Z', [{ p: 1, q: 4 }]); // Berlin 00:30 on the 29th (CET)
    await paid(alice, '2026-03-29T21:30:00Z', [{ p: 0, q: 2 }], '2026-03-29T22:10:00Z'); // 23:30 CEST on the 29th; refunded 00:10 on the 30th
    await paid(bob, '2026-03-29T22:30:00Z', [{ p: 1, q: 2 }]); // Berlin 00:30 on the 30th (CEST)
    await paid(new Types.ObjectId(), '2026-03-26T12:00:00Z', [{ p: 1, q: 1 }]); // the previous period
  });
  afterAll(async () => ctx.close());

  it('when bucketing by day in Europe/Berlin across the DST change, then each sale lands on its local day', async () => {
    const res = await get('/sales?from=2026-03-28&to=2026-03-31&interval=day&tz=Europe/Berlin');
    expectSuccess(res);
    const { series, totals, from, to } = res.body.data;
    expect(from).toBe('2026-03-27T23:00:00.000Z');
    expect(to).toBe('2026-03-30T22:00:00.000Z');
    expect(series.map((b: { period: string; start: string; orders: number }) => [b.period, b.start, b.orders])).toEqual([
      ['2026-03-28', '2026-03-27T23:00:00.000Z', 1],
      ['2026-03-29', '2026-03-28T23:00:00.000Z', 2],
      ['2026-03-30', '2026-03-29T22:00:00.000Z', 1],
    ]);
    // The refund of the 29th's phone order happened on the local 30th and is counted there.
    expect(series[2]).toMatchObject({ refunds: 200, netRevenue: 10 - 200 + 0 });
    expect(totals).toMatchObject({ orders: 4, units: 9, grossRevenue: 330, refunds: 200, netRevenue: 130, averageOrderValue: 82.5, newCustomers: 2 });
  });

  it('when bucketing in UTC, then the same sales fall on UTC days', async () => {
    const res = await get('/sales?from=2026-03-28&to=2026-03-31&interval=day&tz=UTC');
    expectSuccess(res);
    expect(res.body.data.series.map((b: { period: string; orders: number }) => [b.period, b.orders])).toEqual([
      ['2026-03-28', 2],
      ['2026-03-29', 2],
    ]);
  });

  it('when bucketing by week, then weeks start on Monday in the time zone', async () => {
    const res = await get('/sales?from=2026-03-16&to=2026-04-06&interval=week&tz=Europe/Berlin');
    expectSuccess(res);
    expect(res.body.data.series.map((b: { period: string; orders: number }) => [b.period, b.orders])).toEqual([
      ['2026-03-23', 4],
      ['2026-03-30', 1],
    ]);
  });

  it('when a range is asked for, then the previous period of equal length is compared', async () => {
    const res = await get('/sales?from=2026-03-28T00:00:00Z&to=2026-03-31T00:00:00Z&interval=month');
    expectSuccess(res);
    const { previous, change, totals } = res.body.data;
    expect(previous).toMatchObject({ from: '2026-03-25T00:00:00.000Z', to: '2026-03-28T00:00:00.000Z' });
    expect(previous.totals).toMatchObject({ orders: 1, grossRevenue: 5 });
    expect(totals.orders).toBe(4);
    expect(change.orders).toBe(300);
  });

  it('when asking for top products and categories, then they are ranked by net revenue with names', async () => {
    const products = await get('/top-products?from=2026-03-20&to=2026-04-01&limit=5');
    expectSuccess(products);
    expect(products.body.data.items).toEqual([
      { productId: expect.any(String), name: 'Analytics Phone', category: 'phones', units: 1, revenue: 100 },
      { productId: expect.any(String), name: 'Analytics Cable', category: 'cables', units: 7, revenue: 35 },
    ]);
    const categories = await get('/top-categories?from=2026-03-20&to=2026-04-01');
    expectSuccess(categories);
    expect(categories.body.data.items.map((c: { category: string }) => c.category)).toEqual(['phones', 'cables']);
  });

  it('when asking for low stock, then active variants below the threshold are listed, lowest first', async () => {
    const res = await get('/low-stock?threshold=3');
    expectSuccess(res);
    expect(res.body.data.items).toEqual([{ productId: products[0], name: 'Analytics Phone', sku: expect.any(String), stock: 2 }]);
  });

  it.each([
    ['an unknown time zone', '/sales?tz=Mars/Olympus'],
    ['from after to', '/sales?from=2026-03-10&to=2026-03-01'],
    ['a range over 366 days', '/sales?from=2024-01-01&to=2026-01-01'],
    ['an unknown interval', '/sales?interval=hour'],
    ['a limit over 100', '/top-products?limit=1000'],
  ])('when the query has %s, then 400 in the error contract', async (_label, path) => {
    expectErrorContract(await get(path), 400);
  });

  it('when a customer asks, then 403; without a token, 401', async () => {
    for (const path of ['/sales', '/top-products', '/top-categories', '/low-stock']) {
      expectErrorContract(await get(path, customer), 403);
      expectErrorContract(await request(ctx.app).get(`/api/v1/analytics${path}`), 401);
    }
  });
});

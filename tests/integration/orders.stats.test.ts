// GET /api/v1/orders/stats against a hand-computed fixture: day buckets in UTC, the half-open range,
// cancelled orders counted per status but not in revenue or top products.
import { Types } from 'mongoose';
import request from 'supertest';
import { Order } from '../support/models';
import { callerWithRole } from '../support/auth';
import { createTestContext, type TestContext } from '../support/app';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { ADDRESS } from './orders.fixture';

useTestDatabase();

const P1 = new Types.ObjectId();
const P2 = new Types.ObjectId();
const P3 = new Types.ObjectId();
const CATALOG = new Map([
  [P1, { name: 'Widget', sku: 'W-1', unitPriceMinor: 1000 }],
  [P2, { name: 'Gadget', sku: 'G-1', unitPriceMinor: 550 }],
  [P3, { name: 'Bolt', sku: 'B-1', unitPriceMinor: 100 }],
]);

function fixtureOrder(at: string, status: string, lines: [Types.ObjectId, number][]) {
  const items = lines.map(([product, quantity]) => {
    const p = CATALOG.get(product)!;
    return { product, ...p, quantity, lineTotalMinor: p.unitPriceMinor * quantity };
  });
  const total = items.reduce((s, i) => s + i.lineTotalMinor, 0);
  const createdAt = new Date(at);
  return {
    account: new Types.ObjectId(),
    items,
    subtotalMinor: total,
    totalMinor: total,
    currency: 'USD',
    status,
    statusHistory: [{ status, at: createdAt, by: null }],
    shippingAddress: ADDRESS,
    version: 1,
    createdAt,
    updatedAt: createdAt,
  };
}

describe('GET /api/v1/orders/stats', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext();
    await Order.collection.insertMany([
      fixtureOrder('2026-03-01T09:00:00Z', 'pending', [[P1, 2]]), // 20.00
      fixtureOrder('2026-03-01T23:30:00Z', 'paid', [[P2, 1], [P1, 1]]), // 5.50 + 10.00
      fixtureOrder('2026-03-02T00:10:00Z', 'cancelled', [[P3, 10]]), // 10.00, not revenue
      fixtureOrder('2026-03-02T12:00:00Z', 'delivered', [[P3, 3], [P2, 2]]), // 3.00 + 11.00
      fixtureOrder('2026-03-03T23:59:59Z', 'shipped', [[P1, 1]]), // 10.00
      fixtureOrder('2026-03-04T00:00:00Z', 'pending', [[P1, 5]]), // at `to`: excluded
      fixtureOrder('2026-02-28T23:59:00Z', 'paid', [[P2, 5]]), // before `from`: excluded
    ]);
  });
  afterAll(async () => ctx.close());

  it('when an admin asks for a range, then the per-day, per-status, top-product and total figures match the hand count', async () => {
    const admin = await callerWithRole(ctx, 'admin');
    const res = await request(ctx.app).get('/api/v1/orders/stats?from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z').set(admin.headers);
    expectSuccess(res);
    expect(res.body.data).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-04T00:00:00.000Z',
      totals: { orders: 5, revenue: 59.5 },
      perDay: [
        { date: '2026-03-01', orders: 2, revenue: 35.5 },
        { date: '2026-03-02', orders: 2, revenue: 14 },
        { date: '2026-03-03', orders: 1, revenue: 10 },
      ],
      perStatus: [
        { status: 'cancelled', orders: 1, total: 10 },
        { status: 'delivered', orders: 1, total: 14 },
        { status: 'paid', orders: 1, total: 15.5 },
        { status: 'pending', orders: 1, total: 20 },
        { status: 'shipped', orders: 1, total: 10 },
      ],
      topProducts: [
        { productId: P1.toHexString(), name: 'Widget', sku: 'W-1', quantity: 4, revenue: 40 },
        { productId: P2.toHexString(), name: 'Gadget', sku: 'G-1', quantity: 3, revenue: 16.5 },
        { productId: P3.toHexString(), name: 'Bolt', sku: 'B-1', quantity: 3, revenue: 3 },
      ],
    });
  });

  it('when top is 1, then only the best seller is listed', async () => {
    const admin = await callerWithRole(ctx, 'admin');
    const res = await request(ctx.app).get('/api/v1/orders/stats?from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z&top=1').set(admin.headers);
    expect(res.body.data.topProducts.map((p: { sku: string }) => p.sku)).toEqual(['W-1']);
  });

  it('when the range is empty, then zeros and empty lists', async () => {
    const admin = await callerWithRole(ctx, 'admin');
    const res = await request(ctx.app).get('/api/v1/orders/stats?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z').set(admin.headers);
    expectSuccess(res);
    expect(res.body.data).toMatchObject({ totals: { orders: 0, revenue: 0 }, perDay: [], perStatus: [], topProducts: [] });
  });

  it('when only `to` is sent, then the 30 days before it are reported', async () => {
    const admin = await callerWithRole(ctx, 'admin');
    const res = await request(ctx.app).get('/api/v1/orders/stats?to=2026-03-03T00:00:00Z').set(admin.headers);
    expectSuccess(res);
    expect(res.body.data).toMatchObject({ from: '2026-02-01T00:00:00.000Z', totals: { orders: 5 } });
  });

  it('when the range is inverted or longer than a year, then 400', async () => {
    const admin = await callerWithRole(ctx, 'admin');
    expectErrorContract(await request(ctx.app).get('/api/v1/orders/stats?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z').set(admin.headers), 400, 'VALIDATION_FAILED');
    expectErrorContract(await request(ctx.app).get('/api/v1/orders/stats?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z').set(admin.headers), 400, 'VALIDATION_FAILED');
  });

  it('when a manager or customer asks, then 403', async () => {
    for (const role of ['manager', 'customer'] as const) {
      const caller = await callerWithRole(ctx, role);
      expectErrorContract(await request(ctx.app).get('/api/v1/orders/stats').set(caller.headers), 403, 'FORBIDDEN');
    }
  });
});

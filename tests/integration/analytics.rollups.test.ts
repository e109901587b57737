// Hourly sales rollups: the worker's incremental consumer and `analytics:rebuild` must agree exactly,
// whatever the order of events, duplicates included; each event (and each refund) counts once.
import fc from 'fast-check';
import mongoose, { Types } from 'mongoose';
import { bindModels } from '../../src/loaders/container';
import { createAnalyticsRepository } from '../../src/repositories/analytics.repository';
import { rebuildRollups } from '../../src/services/analytics/rebuild';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { Order, SalesRollup, SalesSpanRollup } from '../support/models';
import type { OrderRecord } from '../../src/repositories/order.repository';
import { eventsFor, insertCheckoutOrder, insertOrder, type CheckoutStep, type FixtureChange } from './analytics.fixture';
import { placeOrder, productsWithStock } from './orders.fixture';
import { insertProducts } from './products.fixture';

useTestDatabase();

const analyticsRepository = () => {
  const m = bindModels(mongoose.connection);
  return createAnalyticsRepository({ rollups: m.SalesRollup, spans: m.SalesSpanRollup, applied: m.AnalyticsAppliedEvent, orders: m.Order, products: m.Product });
};

/** Staff orders (paid out of band): the statuses they go through. */
const STAFF_FATES: Record<string, FixtureChange['status'][]> = {
  pending: [],
  paid: ['paid'],
  shipped: ['paid', 'shipped'],
  delivered: ['paid', 'shipped', 'delivered'],
  'cancelled-unpaid': ['cancelled'],
  'cancelled-paid': ['paid', 'cancelled'],
};

type Step = { kind: 'pay' | 'ship' | 'deliver' | 'cancel' } | { kind: 'refund'; amountMinor: number };
const refundsOf = (amounts: readonly number[]): Step[] => amounts.map((amountMinor) => ({ kind: 'refund', amountMinor }));

/** Checkout orders (paid through the provider): steps, given partial refund amounts and the total. */
const CHECKOUT_FATES: Record<string, (partials: readonly number[], total: number) => Step[]> = {
  'checkout-paid': () => [{ kind: 'pay' }],
  'checkout-unpaid-cancelled': () => [{ kind: 'cancel' }],
  'checkout-partial-refunds': (partials) => [{ kind: 'pay' }, ...refundsOf(partials)],
  'checkout-full-refund': (_p, total) => [{ kind: 'pay' }, ...refundsOf([total])],
  'checkout-partials-then-rest': (partials, total) => [{ kind: 'pay' }, ...refundsOf(partials), ...refundsOf([total])],
  'checkout-partials-then-cancel': (partials) => [{ kind: 'pay' }, ...refundsOf(partials), { kind: 'cancel' }],
  'checkout-refunded-then-cancelled': (_p, total) => [{ kind: 'pay' }, ...refundsOf([total]), { kind: 'cancel' }],
  'checkout-refund-after-shipping': (partials, total) => [{ kind: 'pay' }, ...refundsOf(partials.slice(0, 1)), { kind: 'ship' }, ...refundsOf(partials.slice(1)), ...refundsOf([total])],
  'checkout-refund-after-delivery': (partials, total) => [{ kind: 'pay' }, { kind: 'ship' }, { kind: 'deliver' }, ...refundsOf(partials), ...refundsOf([total])],
};

const rollups = async () => (await SalesRollup.collection.find({}, { projection: { _id: 0 } }).sort({ hour: 1 }).toArray()) as Record<string, unknown>[];
const spanRollups = async () => (await SalesSpanRollup.collection.find({}, { projection: { _id: 0 } }).sort({ span: 1, start: 1 }).toArray()) as Record<string, unknown>[];

type Lines = Record<string, { units: number; revenueMinor: number }>;

/** Top lines of [from, to) summed straight from the hourly documents: what the ranked query must equal. */
function naiveRanked(hourly: Record<string, unknown>[], field: 'products' | 'categories', from: number, to: number, limit: number) {
  const sums = new Map<string, { units: number; revenueMinor: number }>();
  for (const d of hourly.filter((h) => (h.hour as Date).getTime() >= from && (h.hour as Date).getTime() < to)) {
    for (const [key, v] of Object.entries((d[field] ?? {}) as Lines)) {
      const before = sums.get(key) ?? { units: 0, revenueMinor: 0 };
      sums.set(key, { units: before.units + v.units, revenueMinor: before.revenueMinor + v.revenueMinor });
    }
  }
  return [...sums]
    .map(([key, v]) => ({ key, ...v }))
    .sort((a, b) => b.revenueMinor - a.revenueMinor || b.units - a.units || (a.key < b.key ? -1 : 1))
    .slice(0, limit);
}

describe('sales rollups', () => {
  let ctx: TestContext;
  let admin: TestCaller;
  let manager: TestCaller;

  beforeAll(async () => {
    ctx = await createTestContext();
    [admin, manager] = await Promise.all([callerWithRole(ctx, 'admin'), callerWithRole(ctx, 'manager')]);
  });
  afterAll(async () => ctx.close());
  beforeEach(async () => {
    await SalesRollup.collection.deleteMany({});
    await SalesSpanRollup.collection.deleteMany({});
    await SalesRollup.db.collection('analytics_applied_events').deleteMany({});
    await SalesRollup.db.collection('orders').deleteMany({});
  });

  it('when orders are paid and cancelled through the API, then the relayed events give the rollups a rebuild gives', async () => {
    const buyer = await callerWithRole(ctx, 'customer');
    const [p1, p2] = await productsWithStock(50, 50);
    const a = await placeOrder(ctx, buyer.headers, [{ productId: p1, quantity: 2 }]);
    const b = await placeOrder(ctx, buyer.headers, [{ productId: p1, quantity: 1 }, { productId: p2, quantity: 3 }]);
    const c = await placeOrder(ctx, buyer.headers, [{ productId: p2, quantity: 1 }]);
    for (const id of [a.id, b.id]) expectSuccess(await request(ctx.app).patch(`/api/v1/orders/${id}/status`).set(manager.headers).send({ status: 'paid', version: 1 }));
    expectSuccess(await request(ctx.app).post(`/api/v1/orders/${b.id}/cancel`).set(admin.headers).send({ version: 2 }));
    expectSuccess(await request(ctx.app).post(`/api/v1/orders/${c.id}/cancel`).set(admin.headers).send({ version: 1 }));
    await ctx.deliverOutbox();

    const incremental = await rollups();
    const sum = (f: string) => incremental.reduce((n, d) => n + Number(d[f]), 0);
    expect(sum('orders')).toBe(2);
    expect(sum('newCustomers')).toBe(1);
    expect(sum('refundsMinor')).toBeGreaterThan(0);
    expect(sum('netMinor')).toBe(sum('grossMinor') - sum('refundsMinor'));
    // The relay running again (a re-publish) changes nothing.
    await ctx.container.outboxRelay.runOnce();
    const hours = incremental.map((d) => d.hour as Date);
    await ctx.container.analytics.rebuild(hours[0], new Date(hours.at(-1)!.getTime() + 3_600_000));
    expect(await rollups()).toEqual(incremental);
  });

  it('when a seeded random sequence of orders, payments, refunds (partial, several, after shipping) and cancels is applied event by event (shuffled, with duplicates), then every refund counts once in its own hour and a rebuild produces identical documents', async () => {
    const products = await insertProducts([
      { name: 'Rollup A', price: 10, category: 'phones' },
      { name: 'Rollup B', price: 25.5, category: 'audio.hifi' },
      { name: 'Rollup C', price: 3.99, category: 'cables' },
    ]);
    const start = Date.UTC(2026, 2, 28, 20);
    const orderArb = fc.record({
      account: fc.integer({ min: 0, max: 4 }),
      lines: fc.uniqueArray(fc.record({ product: fc.integer({ min: 0, max: 2 }), quantity: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 3, selector: (l) => l.product }),
      // Over 16 days, so top-products ranges span whole UTC days and weeks.
      placedMinute: fc.integer({ min: 0, max: 60 * 24 * 16 }),
      fate: fc.constantFrom(...Object.keys(STAFF_FATES), ...Object.keys(CHECKOUT_FATES)),
      // Partial refunds, in percent of the order total (capped at what is left).
      refundPercents: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 3 }),
      gaps: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 8, maxLength: 8 }),
    });
    const scenario = fc.sample(fc.record({ orders: fc.array(orderArb, { minLength: 40, maxLength: 60 }), seed: fc.integer() }), { seed: 20260328, numRuns: 1 })[0];
    const accounts = Array.from({ length: 5 }, () => new Types.ObjectId());
    const prices = [1000, 2550, 399];
    const events: { id: string; type: string; payload: Record<string, unknown> }[] = [];
    for (const o of scenario.orders) {
      const placedAt = new Date(start + o.placedMinute * 60_000);
      const t = (i: number) => new Date(placedAt.getTime() + o.gaps.slice(0, i + 1).reduce((n, g) => n + g, 0) * 60_000);
      const lines = o.lines.map((l) => ({ productId: products[l.product], quantity: l.quantity, unitPriceMinor: prices[l.product] }));
      if (Object.hasOwn(STAFF_FATES, o.fate)) {
        const changes = STAFF_FATES[o.fate].map((status, i) => ({ status, at: t(i) }));
        const id = await insertOrder(accounts[o.account], lines, placedAt, changes);
        events.push(...eventsFor(id, changes));
      } else {
        const total = lines.reduce((n, l) => n + l.unitPriceMinor * l.quantity, 0);
        const partials = o.refundPercents.map((pct) => Math.ceil((total * pct) / 100));
        const steps = CHECKOUT_FATES[o.fate](partials, total).map((step, i) => ({ ...step, at: t(i) }) as CheckoutStep);
        events.push(...(await insertCheckoutOrder(accounts[o.account], lines, placedAt, steps)).events);
      }
    }
    // The scenario exercises what it claims: partial refunds, full ones, and refunds after shipping.
    const refunds = events.filter((e) => e.type === 'order-refunded');
    expect(refunds.filter((e) => e.payload.fullyRefunded === false).length).toBeGreaterThan(3);
    expect(refunds.filter((e) => e.payload.fullyRefunded === true).length).toBeGreaterThan(3);
    expect(scenario.orders.filter((o) => o.fate === 'checkout-refund-after-shipping' || o.fate === 'checkout-refund-after-delivery').length).toBeGreaterThan(1);
    // Per-aggregate order is all the relay promises; across orders anything goes, and re-publishes repeat events.
    const delivered = fc.sample(fc.shuffledSubarray([...events, ...events.slice(0, 10)], { minLength: events.length + 10 }), { seed: scenario.seed, numRuns: 1 })[0];
    const outcomes = [];
    for (const event of delivered) outcomes.push(await ctx.container.analytics.applyEvent(event));
    expect(outcomes.filter((o) => o === 'already-applied').length).toBeGreaterThan(0);
    const incremental = await rollups();
    expect(incremental.length).toBeGreaterThan(3);
    expect(incremental.reduce((n, d) => n + Number(d.refundsMinor), 0)).toBeGreaterThan(0);
    // Money out per hour, straight from the orders: each refund record in the hour of its `at`, plus the
    // total of a staff order (paid out of band, no refund records) in the hour of its cancel after paid.
    const expectedRefunds = new Map<number, number>();
    const addRefund = (at: Date, amountMinor: number) => {
      const hour = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
      expectedRefunds.set(hour, (expectedRefunds.get(hour) ?? 0) + amountMinor);
    };
    const stored = (await Order.find({}).lean()) as unknown as OrderRecord[];
    for (const order of stored) {
      for (const refund of order.payment?.refunds ?? []) addRefund(refund.at, refund.amountMinor);
      const cancel = order.statusHistory.find((c) => c.status === 'cancelled');
      if (!order.payment && cancel && order.statusHistory.some((c) => c.status === 'paid')) addRefund(cancel.at, order.totalMinor);
    }
    // Partial refunds and refunds of shipped/delivered orders are among them.
    const returned = stored.filter((o) => o.payment?.refunds.some((r) => o.statusHistory.some((c) => c.status === 'shipped' && c.at <= r.at)));
    expect(returned.length).toBeGreaterThan(1);
    expect(stored.filter((o) => o.payment && o.payment.refunds.length > 0 && o.payment.refundedMinor < o.totalMinor).length).toBeGreaterThan(1);
    const refundsPerHour = new Map(incremental.filter((d) => Number(d.refundsMinor) !== 0).map((d) => [(d.hour as Date).getTime(), Number(d.refundsMinor)]));
    expect(refundsPerHour).toEqual(expectedRefunds);
    for (const d of incremental) expect(d.netMinor).toBe(Number(d.grossMinor) - Number(d.refundsMinor));
    const incrementalSpans = await spanRollups();
    expect(incrementalSpans.filter((d) => d.span === 'week').length).toBeGreaterThan(1);

    // Tops over ranges of whole hours (weeks, days and edge hours) equal the sums of the hourly documents.
    const ranges = fc.sample(fc.tuple(fc.integer({ min: -24, max: 24 * 20 }), fc.integer({ min: 0, max: 24 * 20 })), { seed: scenario.seed, numRuns: 12 });
    for (const [offset, length] of [[-24, 24 * 21], ...ranges]) {
      const from = start + offset * 3_600_000;
      const to = from + length * 3_600_000;
      for (const field of ['products', 'categories'] as const) {
        const ranked = await analyticsRepository().ranked(field, new Date(from), new Date(to), 500);
        expect(ranked).toEqual(naiveRanked(incremental, field, from, to, 500));
      }
    }

    await SalesRollup.collection.insertOne({ hour: new Date(start - 3_600_000), orders: 99 }); // stale junk the rebuild must replace
    await SalesSpanRollup.collection.insertOne({ span: 'day', start: new Date(Date.UTC(2026, 2, 30)), products: { junk: { units: 9, revenueMinor: 9 } } });
    await ctx.container.analytics.rebuild(new Date(start - 3_600_000), new Date(start + 20 * 86_400_000));
    expect(await rollups()).toEqual(incremental);
    expect(await spanRollups()).toEqual(incrementalSpans);

    // With tiny batches and buffer, hours are flushed several times ($inc onto what was written): the same documents.
    const result = await rebuildRollups({ repository: analyticsRepository(), limits: { orderBatch: 4, maxBufferedHours: 3 } }, new Date(start - 3_600_000), new Date(start + 20 * 86_400_000));
    expect(result.hours).toBe(incremental.length);
    expect(await rollups()).toEqual(incremental);
    expect(await spanRollups()).toEqual(incrementalSpans);
  });
});

// The analytics repository's write side: each event folded into the rollups once (also when two
// consumers apply it at the same time), the average order value kept with the sums, and the rebuild.
import mongoose from 'mongoose';
import { bindModels } from '../../../src/loaders/container';
import { createAnalyticsRepository } from '../../../src/repositories/analytics.repository';
import { clearTestDatabase, useTestDatabase } from '../../support/db';

useTestDatabase();

const HOUR = new Date('2026-01-01T10:00:00.000Z');
const NOW = new Date('2026-01-01T10:30:00.000Z');

describe('AnalyticsRepository', () => {
  const repo = () => {
    const m = bindModels(mongoose.connection);
    return createAnalyticsRepository({ rollups: m.SalesRollup, spans: m.SalesSpanRollup, applied: m.AnalyticsAppliedEvent, orders: m.Order, products: m.Product });
  };

  afterEach(clearTestDatabase);

  it('when the same event is applied twice at once, then it is folded in once', async () => {
    const inc = [{ hour: HOUR, inc: { orders: 1, grossMinor: 1000 } }];
    const results = await Promise.all([repo().applyOnce('order-paid:o1', inc, NOW, null), repo().applyOnce('order-paid:o1', inc, NOW, null)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await repo().applyOnce('order-paid:o1', inc, NOW, null)).toBe(false);
    expect(await repo().findRange(HOUR, new Date(HOUR.getTime() + 3600_000))).toMatchObject([{ hour: HOUR, orders: 1, grossMinor: 1000, averageOrderValueMinor: 1000 }]);
  });

  it('when events add orders and refunds to an hour, then the average order value follows the sums and is 0 without orders', async () => {
    await repo().applyOnce('e1', [{ hour: HOUR, inc: { orders: 1, grossMinor: 1000 } }], NOW, null);
    await repo().applyOnce('e2', [{ hour: HOUR, inc: { orders: 1, grossMinor: 501 } }], NOW, null);
    const later = new Date(HOUR.getTime() + 3600_000);
    await repo().applyOnce('e3', [{ hour: later, inc: { refundsMinor: 300 } }], NOW, null);
    const rows = await repo().findRange(HOUR, new Date(HOUR.getTime() + 7200_000));
    expect(rows.map((r) => [r.orders ?? 0, r.averageOrderValueMinor])).toEqual([[2, 751], [0, 0]]);
  });

  it('when the ledger write fails for another reason than a duplicate, then the error reaches the caller and nothing is folded in', async () => {
    const m = bindModels(mongoose.connection);
    jest.spyOn(m.AnalyticsAppliedEvent.collection, 'insertOne').mockRejectedValueOnce(new Error('not primary'));
    const r = createAnalyticsRepository({ rollups: m.SalesRollup, spans: m.SalesSpanRollup, applied: m.AnalyticsAppliedEvent, orders: m.Order, products: m.Product });
    await expect(r.applyOnce('e1', [{ hour: HOUR, inc: { orders: 1, grossMinor: 100 } }], NOW, null)).rejects.toThrow('not primary');
    jest.restoreAllMocks();
    expect(await repo().findRange(HOUR, new Date(HOUR.getTime() + 3600_000))).toEqual([]);
    expect(await repo().applyOnce('e1', [{ hour: HOUR, inc: { orders: 1, grossMinor: 100 } }], NOW, null)).toBe(true);
  });

  it('when a range is rebuilt with no sales, then its rollups are removed and hours outside it stay', async () => {
    const before = new Date(HOUR.getTime() - 3600_000);
    await repo().applyOnce('e1', [{ hour: before, inc: { orders: 1, grossMinor: 100 } }, { hour: HOUR, inc: { orders: 1, grossMinor: 100 } }], NOW, null);
    await repo().replaceRange(HOUR, new Date(HOUR.getTime() + 3600_000), []);
    expect((await repo().findRange(before, new Date(HOUR.getTime() + 3600_000))).map((r) => r.hour)).toEqual([before]);
  });
});

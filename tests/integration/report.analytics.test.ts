// The daily sales report and the analytics rollups count money by the same rule: for a day with a
// paid order, a partial refund, a refund made in the provider's dashboard, a return of a delivered
// order, a cancel of a paid checkout order (refunded first) and a cancel of a staff order paid out of
// band, the report's summary equals what
// GET /analytics/sales shows for that day in the same time zone, and its orders CSV lists every
// refund record as its own row.
import request from 'supertest';
import mongoose, { Types } from 'mongoose';
import { createOrderRepository } from '../../src/repositories/order.repository';
import { createReportRepository } from '../../src/repositories/report.repository';
import { createReportService } from '../../src/services/reports/report.service';
import { addDays, localDayOf } from '../../src/utils/zoned-day';
import { callerWithRole } from '../support/auth';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { Order, Report } from '../support/models';
import { checkoutOrder, confirmWith, readOrder, simulatedDashboard, startPaymentsApp, type PaymentsApp } from '../support/payments';
import { placeOrder, productsWithStock } from './orders.fixture';

useTestDatabase();

const TZ = 'Europe/Berlin';

describe('daily sales report against the analytics rollups', () => {
  let app: PaymentsApp;
  beforeAll(async () => {
    app = await startPaymentsApp({ env: { REPORTS_TZ: TZ } });
  });
  afterAll(async () => app.close());

  it('when a day has a sale, a partial refund, a dashboard refund, a return, a refunded cancel and an out-of-band cancel, then the report shows the refunds and net GET /analytics/sales shows', async () => {
    const { ctx } = app;
    const [alice, manager, admin] = await Promise.all([callerWithRole(ctx, 'customer'), callerWithRole(ctx, 'manager'), callerWithRole(ctx, 'admin')]);
    const [p] = await productsWithStock(100);
    const paidOrder = async (quantity: number) => {
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity }]);
      expect((await confirmWith(ctx, alice, order.providerPaymentId, '4242 4242 4242 4242')).body.data).toMatchObject({ status: 'succeeded', webhookDelivered: true });
      return order;
    };
    const refund = async (orderId: string, body: Record<string, unknown>) =>
      expectSuccess(await request(ctx.app).post(`/api/v1/orders/${orderId}/refunds`).set(manager.headers).set('Idempotency-Key', new Types.ObjectId().toHexString()).send(body));
    const move = async (orderId: string, body: Record<string, unknown>) =>
      expectSuccess(await request(ctx.app).patch(`/api/v1/orders/${orderId}/status`).set(manager.headers).send({ ...body, version: (await readOrder(orderId)).version }));
    const cancel = async (orderId: string) => expectSuccess(await request(ctx.app).post(`/api/v1/orders/${orderId}/cancel`).set(manager.headers).send({ version: (await readOrder(orderId)).version }));

    await paidOrder(1);
    const partial = await paidOrder(2);
    const dashboard = await paidOrder(2);
    await simulatedDashboard(app).refund(dashboard.providerPaymentId, 30);
    await refund(partial.id, { amount: 1 });
    const returned = await paidOrder(3);
    await move(returned.id, { status: 'shipped', carrier: 'DHL', trackingNumber: 'RET-1' });
    await move(returned.id, { status: 'delivered' });
    await refund(returned.id, { amount: 2.5 });
    const cancelled = await paidOrder(1);
    await refund(cancelled.id, { amount: 0.5 });
    await cancel(cancelled.id);
    // A staff order paid out of band: no refund records, so its cancel takes out its whole total.
    const staff = await placeOrder(ctx, manager.headers, [{ productId: p, quantity: 2 }]);
    await move(staff.id, { status: 'paid' });
    await cancel(staff.id);
    await ctx.deliverOutbox();

    const orders = await Promise.all([partial.id, returned.id, cancelled.id, staff.id, dashboard.id].map(readOrder));
    expect(orders.map((o) => o.status)).toEqual(['partially_refunded', 'delivered', 'cancelled', 'cancelled', 'partially_refunded']);
    const records = orders.flatMap((o) => o.payment?.refunds ?? []);
    // The cancel of the paid checkout order refunded its rest: three records of it and the others.
    expect(records.map((r) => r.amountMinor).slice(0, 3)).toEqual([100, 250, 50]);
    // The dashboard refund has its record like any other (the report and the rollups count records).
    expect(orders[4]!.payment!.refunds.map((r) => r.amountMinor)).toEqual([30]);
    const moments = orders.flatMap((o) => [...o.statusHistory.map((c) => c.at), ...(o.payment?.refunds ?? []).map((r) => r.at)]);
    const days = [...new Set(moments.map((at) => localDayOf(new Date(at), TZ)))].sort();

    // The report of each local day touched (one, unless the test runs across Berlin midnight), built as the scheduler would once the day is over.
    const reports = createReportService({ reports: createReportRepository(Report, mongoose.connection), orders: createOrderRepository(Order), outbox: ctx.container.outbox, timeZone: TZ, cursorSecret: 'test', now: () => new Date(Date.now() + 3 * 86_400_000) });
    let refundRows = 0;
    for (const day of days) {
      expect(await reports.build(day)).toMatchObject({ day, built: true });
      const listed = await request(ctx.app).get('/api/v1/reports').set(admin.headers);
      expectSuccess(listed);
      const report = (listed.body.data as { day: string; summary: Record<string, number> }[]).find((r) => r.day === day)!;
      const res = await request(ctx.app).get(`/api/v1/analytics/sales?from=${day}&to=${addDays(day, 1)}&interval=day&tz=${TZ}`).set(admin.headers);
      expectSuccess(res);
      const { totals } = res.body.data as { totals: Record<string, number> };
      const { summary } = report;
      expect({ orders: summary.orders, units: summary.units, gross: summary.gross, refunds: summary.refunds, net: summary.net, newCustomers: summary.newCustomers }).toEqual({
        orders: totals.orders,
        units: totals.units,
        gross: totals.grossRevenue,
        refunds: totals.refunds,
        net: totals.netRevenue,
        newCustomers: totals.newCustomers,
      });

      // Orders CSV: one row per refund record (its refundId), and `amount` sums to the report's net.
      const csv = await request(ctx.app).get(`/api/v1/reports/${day}.csv`).set(admin.headers).buffer(true);
      expect(csv.status).toBe(200);
      const rows = csv.text.trim().split('\n').slice(1).map((l) => l.split(','));
      expect(rows.reduce((sum, r) => sum + Number(r[7]), 0)).toBeCloseTo(summary.net, 2);
      const withRefundId = rows.filter((r) => r[10] !== '');
      refundRows += withRefundId.length;
      for (const row of withRefundId) {
        const record = records.find((r) => r.providerRefundId === row[10]);
        expect([row[1], Number(row[6]), Number(row[7])]).toEqual(['refund', 0, -record!.amountMinor / 100]);
      }
    }
    expect(refundRows).toBe(records.length);

    // Across the days: the paid total in, every refund record out, the staff order's total out at its cancel.
    const all = await request(ctx.app).get(`/api/v1/analytics/sales?from=${days[0]}&to=${addDays(days.at(-1)!, 1)}&interval=day&tz=${TZ}`).set(admin.headers);
    const staffTotal = (await readOrder(staff.id)).totalMinor;
    expect(Math.round(all.body.data.totals.refunds * 100)).toBe(records.reduce((n, r) => n + r.amountMinor, 0) + staffTotal);
  });
});

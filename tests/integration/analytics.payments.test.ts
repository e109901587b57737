// Sales rollups from checkout orders: the provider's payment counts the order, every refund (partial
// or full) takes its amount out once, a full refund (or a cancel, which refunds first) takes the units
// out exactly once, a decline counts nothing — and the relayed events give the documents a rebuild gives.
import request from 'supertest';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { OutboxEvent, SalesRollup } from '../support/models';
import { checkoutOrder, confirmWith, readOrder, startPaymentsApp, type PaymentsApp } from '../support/payments';
import { productsWithStock } from './orders.fixture';

useTestDatabase();

const rollups = async () => (await SalesRollup.collection.find({}, { projection: { _id: 0 } }).sort({ hour: 1 }).toArray()) as Record<string, unknown>[];

describe('sales rollups from checkout payments', () => {
  let app: PaymentsApp;
  let alice: TestCaller;
  let manager: TestCaller;

  beforeAll(async () => {
    app = await startPaymentsApp();
    [alice, manager] = await Promise.all([callerWithRole(app.ctx, 'customer'), callerWithRole(app.ctx, 'manager')]);
  });
  afterAll(async () => app.close());

  it('when checkout orders are paid, refunded in part or in full, cancelled after payment or declined, then each paid order counts once, every refund takes its amount out once and only full refunds take units out', async () => {
    const { ctx } = app;
    const [p] = await productsWithStock(50);
    const paidOrder = async (quantity: number) => {
      const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity }]);
      // The webhook (which records order-paid) must have been accepted, or a count below is short for another reason than the rollups.
      const confirmed = await confirmWith(ctx, alice, order.providerPaymentId, '4242 4242 4242 4242');
      expectSuccess(confirmed);
      expect(confirmed.body.data).toMatchObject({ status: 'succeeded', webhookDelivered: true });
      return order;
    };
    const refund = (orderId: string, key: string, body: Record<string, unknown>) =>
      request(ctx.app).post(`/api/v1/orders/${orderId}/refunds`).set(manager.headers).set('Idempotency-Key', key).send(body);

    const kept = await paidOrder(1);
    const partial = await paidOrder(2);
    expectSuccess(await refund(partial.id, `partial-${partial.id}`, { amount: 1 }));
    const cancelled = await paidOrder(1);
    expectSuccess(await request(ctx.app).post(`/api/v1/orders/${cancelled.id}/cancel`).set(manager.headers).send({ version: (await readOrder(cancelled.id)).version }));
    const refunded = await paidOrder(3);
    expectSuccess(await refund(refunded.id, `part-${refunded.id}`, { amount: 1 }));
    expectSuccess(await refund(refunded.id, `rest-${refunded.id}`, {}));
    const declined = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
    expectSuccess(await confirmWith(ctx, alice, declined.providerPaymentId, '4000 0000 0000 0002'));
    expect((await readOrder(cancelled.id)).statusHistory.map((c) => c.status)).toEqual(['awaiting_payment', 'paid', 'refunded', 'cancelled']);
    await ctx.deliverOutbox();

    const incremental = await rollups();
    const sum = (f: string) => incremental.reduce((n, d) => n + Number(d[f]), 0);
    const paidTotal = kept.totalMinor + partial.totalMinor + cancelled.totalMinor + refunded.totalMinor;
    expect(sum('orders')).toBe(4);
    expect(sum('grossMinor')).toBe(paidTotal);
    // Every refund counts once, by its own amount: the partial one (1.00) too; the cancel refunded
    // first, so its sale's money leaves once (through the refund), not twice.
    const partialRefunds = (await readOrder(partial.id)).payment!.refunds;
    expect(partialRefunds.map((r) => r.amountMinor)).toEqual([100]);
    expect(sum('refundsMinor')).toBe(100 + cancelled.totalMinor + refunded.totalMinor);
    expect(sum('netMinor')).toBe(kept.totalMinor + partial.totalMinor - 100);
    expect(sum('units')).toBe(1 + 2 + 1 + 3);
    const productUnits = incremental.reduce((n, d) => n + ((d.products as Record<string, { units: number }>)[p]?.units ?? 0), 0);
    expect(productUnits).toBe(1 + 2);

    // Delivered again (a re-publish), nothing changes; a rebuild from the orders gives the same documents.
    await ctx.container.outboxRelay.runOnce();
    expect(await rollups()).toEqual(incremental);
    const hours = incremental.map((d) => d.hour as Date);
    await ctx.container.analytics.rebuild(hours[0], new Date(hours.at(-1)!.getTime() + 3_600_000));
    expect(await rollups()).toEqual(incremental);
  });
  it('when a paid order is refunded in part, then delivered and refunded again (a return), then each refund counts once as it happens, the order keeps its units and a rebuild agrees', async () => {
    const { ctx } = app;
    const [p] = await productsWithStock(50);
    const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 2 }]);
    expectSuccess(await confirmWith(ctx, alice, order.providerPaymentId, '4242 4242 4242 4242'));
    await ctx.deliverOutbox();
    const sum = async (f: string) => (await rollups()).reduce((n, d) => n + Number(d[f]), 0);
    const [refundsBefore, unitsBefore, grossBefore] = [await sum('refundsMinor'), await sum('units'), await sum('grossMinor')];
    const refund = (key: string, body: Record<string, unknown>) =>
      request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', key).send(body);

    expectSuccess(await refund(`first-${order.id}`, { amount: 1 }));
    await ctx.deliverOutbox();
    expect(await sum('refundsMinor')).toBe(refundsBefore + 100);

    const move = async (body: Record<string, unknown>) =>
      expectSuccess(await request(ctx.app).patch(`/api/v1/orders/${order.id}/status`).set(manager.headers).send({ ...body, version: (await readOrder(order.id)).version }));
    await move({ status: 'shipped', carrier: 'DHL', trackingNumber: 'RET-1' });
    await move({ status: 'delivered' });
    expectSuccess(await refund(`return-${order.id}`, { amount: 2 }));
    await ctx.deliverOutbox();
    await ctx.container.outboxRelay.runOnce();

    const stored = await readOrder(order.id);
    expect(stored.status).toBe('delivered');
    expect(stored.payment!.refunds.map((r) => r.amountMinor)).toEqual([100, 200]);
    expect(await sum('refundsMinor')).toBe(refundsBefore + 300);
    expect(await sum('netMinor')).toBe((await sum('grossMinor')) - (await sum('refundsMinor')));
    expect([await sum('units'), await sum('grossMinor')]).toEqual([unitsBefore, grossBefore]);
    // Each refund in the hour of its own record.
    const incremental = await rollups();
    for (const r of stored.payment!.refunds) {
      const hour = Math.floor(new Date(r.at).getTime() / 3_600_000) * 3_600_000;
      expect(Number(incremental.find((d) => (d.hour as Date).getTime() === hour)?.refundsMinor)).toBeGreaterThanOrEqual(r.amountMinor);
    }
    const hours = incremental.map((d) => d.hour as Date);
    await ctx.container.analytics.rebuild(hours[0], new Date(hours.at(-1)!.getTime() + 3_600_000));
    expect(await rollups()).toEqual(incremental);
  });

  it('when a refund is recorded, then its own event counts it — even folded before the provider\'s refund event, which then finds it counted (a webhook can arrive before the refund call returns)', async () => {
    const { ctx } = app;
    const [p] = await productsWithStock(50);
    const order = await checkoutOrder(ctx, alice, [{ productId: p, quantity: 1 }]);
    expectSuccess(await confirmWith(ctx, alice, order.providerPaymentId, '4242 4242 4242 4242'));
    await ctx.deliverOutbox();
    const sum = async (f: string) => (await rollups()).reduce((n, d) => n + Number(d[f]), 0);
    const refundsBefore = await sum('refundsMinor');

    expectSuccess(await request(ctx.app).post(`/api/v1/orders/${order.id}/refunds`).set(manager.headers).set('Idempotency-Key', `early-${order.id}`).send({ amount: 1.5 }));
    const [refund] = (await readOrder(order.id)).payment!.refunds;
    // Stored with the record, in its transaction.
    const recorded = await OutboxEvent.collection.findOne({ _id: `order-refund-recorded:${order.id}:${refund!.providerRefundId}` as never });
    expect(recorded).toMatchObject({ type: 'order-refund-recorded', payload: { orderId: order.id, refundId: refund!.providerRefundId, amountMinor: 150 } });

    // Folded on its own (as if the provider's event had been folded before the record existed).
    expect(await ctx.container.analytics.applyEvent({ id: String(recorded!._id), type: 'order-refund-recorded', payload: recorded!.payload as Record<string, unknown> })).toBe('applied');
    expect(await sum('refundsMinor')).toBe(refundsBefore + 150);
    // The relay then folds both events: the refund is already counted.
    await ctx.deliverOutbox();
    await ctx.container.outboxRelay.runOnce();
    expect(await sum('refundsMinor')).toBe(refundsBefore + 150);
  });
});

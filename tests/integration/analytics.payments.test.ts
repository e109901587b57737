// Sales rollups from checkout orders: the provider's payment counts the order, every refund (partial
// or full) takes its amount out once, a full refund (or a cancel, which refunds first) takes the units
// out exactly once, a decline counts nothing — and the relayed events give the documents a rebuild gives.
import request from 'supertest';
import { callerWithRole, type TestCaller } from '../support/auth';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { OutboxEvent, SalesRollup } from '../support/models';
import { checkoutOrder, confirmWith, deliver, readOrder, sign, simulatedDashboard, startPaymentsApp, stripeEvent, type PaymentsApp } from '../support/payments';
import { SimulatedPaymentIntent } from '../support/models';
import { productsWithStock } from './orders.fixture';

useTestDatabase();

const rollups = async () => (await SalesRollup.collection.find({}, { projection: { _id: 0 } }).sort({ hour: 1 }).toArray()) as Record<string, unknown>[];

describe('sales rollups from checkout payments', () => {
  let app: PaymentsApp;
  let alice: TestCaller;
  let manager: TestCaller;
  let admin: TestCaller;

  beforeAll(async () => {
    app = await startPaymentsApp();
    [alice, manager, admin] = await Promise.all([callerWithRole(app.ctx, 'customer'), callerWithRole(app.ctx, 'manager'), callerWithRole(app.ctx, 'admin')]);
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

  describe('refunds made in the provider\'s dashboard (only charge.refunded reports them, without the refund)', () => {
    /** GET /analytics/sales totals over the last day (and the hour to come), in major units. */
    const salesTotals = async () => {
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 3_600_000).toISOString();
      const res = await request(app.ctx.app).get(`/api/v1/analytics/sales?from=${from}&to=${to}`).set(admin.headers);
      expectSuccess(res);
      return res.body.data.totals as { refunds: number; netRevenue: number; grossRevenue: number };
    };
    const paidOrder = async (quantity: number) => {
      const [p] = await productsWithStock(50);
      const order = await checkoutOrder(app.ctx, alice, [{ productId: p, quantity }]);
      expectSuccess(await confirmWith(app.ctx, alice, order.providerPaymentId, '4242 4242 4242 4242'));
      await app.ctx.deliverOutbox();
      return { ...order, productId: p! };
    };
    const productUnits = async (productId: string) => (await rollups()).reduce((n, d) => n + ((d.products as Record<string, { units: number }>)[productId]?.units ?? 0), 0);
    const providerRefund = async (providerPaymentId: string, refundId: string) => (await SimulatedPaymentIntent.findById(providerPaymentId).lean())!.refunds.find((r) => r.refundId === refundId)!;

    it('when part of a paid order is refunded in the dashboard, then the order records that refund once (the provider\'s id, amount and time) and GET /analytics/sales counts it', async () => {
      const order = await paidOrder(2);
      const before = await salesTotals();

      const made = await simulatedDashboard(app).refund(order.providerPaymentId, 150);
      expect(made.webhookDelivered).toBe(true);

      const stored = await readOrder(order.id);
      expect(stored).toMatchObject({ status: 'partially_refunded', payment: { refundedMinor: 150, status: 'partially_refunded' } });
      const atProvider = await providerRefund(order.providerPaymentId, made.providerRefundId);
      expect(stored.payment!.refunds).toEqual([expect.objectContaining({ providerRefundId: made.providerRefundId, amountMinor: 150, at: atProvider.at })]);
      await app.ctx.deliverOutbox();
      const after = await salesTotals();
      expect(Math.round((after.refunds - before.refunds) * 100)).toBe(150);
      expect(Math.round((after.netRevenue - before.netRevenue) * 100)).toBe(-150);
    });

    it('when the whole of a paid order is refunded in the dashboard, then the order is refunded with one record of the total, and the sales lose its money (and the product its units) once', async () => {
      const order = await paidOrder(3);
      const before = await salesTotals();

      const made = await simulatedDashboard(app).refund(order.providerPaymentId);
      expect(made).toMatchObject({ amountMinor: order.totalMinor, webhookDelivered: true });

      const stored = await readOrder(order.id);
      expect(stored).toMatchObject({ status: 'refunded', payment: { refundedMinor: order.totalMinor, status: 'refunded' } });
      expect(stored.payment!.refunds).toEqual([expect.objectContaining({ providerRefundId: made.providerRefundId, amountMinor: order.totalMinor })]);
      await app.ctx.deliverOutbox();
      const after = await salesTotals();
      expect(Math.round((after.refunds - before.refunds) * 100)).toBe(order.totalMinor);
      expect(Math.round((after.netRevenue - before.netRevenue) * 100)).toBe(-order.totalMinor);
      expect(await productUnits(order.productId)).toBe(0);
    });

    it('when the dashboard refund\'s event is delivered several times at once and other reports of the same total race it, then it is recorded and counted once, and a rebuild agrees', async () => {
      const order = await paidOrder(2);
      const before = await salesTotals();
      // The dashboard's own delivery is held back: every delivery below races to record the refund.
      const dashboard = simulatedDashboard(app, { deliver: false });
      const made = await dashboard.refund(order.providerPaymentId, 120);
      const [original] = dashboard.sent;
      const secret = app.ctx.config.payments.webhookSecret;
      const report = () => {
        const payload = stripeEvent('charge.refunded', { id: 'ch_dash', object: 'charge', amount: order.totalMinor, amount_refunded: 120, payment_intent: order.providerPaymentId });
        return deliver(app.ctx, payload, sign(payload, secret));
      };
      const answers = await Promise.all([deliver(app.ctx, original!.payload, original!.signature), deliver(app.ctx, original!.payload, original!.signature), report(), report(), report()]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      // Redelivered later, the same event is a duplicate.
      expect((await deliver(app.ctx, original!.payload, original!.signature)).body.data.duplicate).toBe(true);

      const stored = await readOrder(order.id);
      expect(stored.payment!.refunds.map((r) => [r.providerRefundId, r.amountMinor])).toEqual([[made.providerRefundId, 120]]);
      expect(stored.payment!.refundedMinor).toBe(120);
      await app.ctx.deliverOutbox();
      await app.ctx.container.outboxRelay.runOnce();
      const after = await salesTotals();
      expect(Math.round((after.refunds - before.refunds) * 100)).toBe(120);

      const incremental = await rollups();
      const hours = incremental.map((d) => d.hour as Date);
      await app.ctx.container.analytics.rebuild(hours[0], new Date(hours.at(-1)!.getTime() + 3_600_000));
      expect(await rollups()).toEqual(incremental);
    });
  });
});

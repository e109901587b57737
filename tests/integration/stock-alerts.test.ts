// Stock alerts end to end, in process: stock changes over HTTP (orders, cancels, staff edits) and
// through the stock-write path (hold releases, import adjustments) → one outbox event per crossing
// → two relays publishing at once → the real BullMQ email queue and worker (delivery ledger) → a
// real SMTP sink that counts messages by their X-Email-Job-Id. Back in stock: each watcher that did
// not opt out gets exactly one email per restock; low stock: each admin exactly one per crossing.
import { Types } from 'mongoose';
import request from 'supertest';
import type Redis from 'ioredis';
import { createBullEmailQueue, producerConnection, type BullEmailQueue } from '../../src/jobs/email/email.queue';
import { createMailer, type Mailer } from '../../src/jobs/email/mailer';
import { createEmailProcessor } from '../../src/jobs/email/processor';
import { startEmailWorker, workerConnection, type EmailWorker } from '../../src/jobs/email/worker';
import { createRedisClient } from '../../src/loaders/redis';
import { createAbandonedHoldSweep } from '../../src/services/orders/holds';
import { createDeliveryLedger } from '../../src/repositories/delivery.repository';
import { createOrderRepository } from '../../src/repositories/order.repository';
import { createEventConfirmer } from '../../src/jobs/outbox/confirm';
import { createOutboxRepository } from '../../src/repositories/outbox.repository';
import { createProductRepository } from '../../src/repositories/product.repository';
import { createStockRepository } from '../../src/repositories/stock.repository';
import { createStockWriter } from '../../src/services/stock/stock.service';
import { EmailDelivery, Order, OutboxEvent, Product } from '../support/models';
import { callerWithRole, type TestCaller } from '../support/auth';
import { createTestContext, testConfig, type TestContext } from '../support/app';
import { expectSuccess } from '../support/contract';
import { useTestDatabase } from '../support/db';
import { startSmtpServer, type TestSmtpServer } from '../support/email-smtp';
import { testKeyPrefix } from '../support/env';
import { pollUntil } from '../support/faults';
import { placeOrder } from './orders.fixture';
import { insertProducts } from './products.fixture';

useTestDatabase();

const THRESHOLD = 5;

describe('stock alerts: back in stock and low stock', () => {
  let smtp: TestSmtpServer;
  let shared: Redis;
  let queue: BullEmailQueue;
  let worker: EmailWorker;
  let workerRedis: Redis;
  let mailer: Mailer;
  let ctx: TestContext;
  let second: TestContext;
  let buyers: TestCaller[];
  let manager: TestCaller;
  const api = () => request(ctx.app);

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const env = { REDIS_KEY_PREFIX: testKeyPrefix(), SMTP_URL: smtp.url, LOW_STOCK_THRESHOLD: String(THRESHOLD), EMAIL_BACKOFF_MS: '50', EMAIL_BACKOFF_JITTER: '0' };
    const config = testConfig(env);
    shared = createRedisClient(config.redis.url!, config.redis);
    await shared.connect();
    queue = createBullEmailQueue(config, producerConnection(shared));
    // Two API-side containers, so two relays (different owners) publish the same outbox at once.
    ctx = await createTestContext({ env, emailQueue: queue });
    second = await createTestContext({ env, emailQueue: queue });
    mailer = createMailer(config);
    workerRedis = workerConnection(shared);
    const outbox = createOutboxRepository(OutboxEvent);
    worker = startEmailWorker(config, workerRedis, createEmailProcessor({ mailer, config, ledger: createDeliveryLedger(EmailDelivery), confirm: (id) => createEventConfirmer(outbox)(id, 'email') }));
    await worker.worker.waitUntilReady();
    buyers = await Promise.all(Array.from({ length: 10 }, () => callerWithRole(ctx, 'customer')));
    manager = await callerWithRole(ctx, 'manager');
  }, 60_000);

  afterAll(async () => {
    await worker?.close(5000);
    await queue?.queue.obliterate({ force: true });
    await queue?.close();
    await mailer?.close();
    await workerRedis?.quit();
    await shared?.quit();
    await smtp?.close();
  });

  const variantOf = async (productId: string) => (await Product.findById(productId).lean())!.variants![0]._id.toString();
  const stockOf = async (productId: string) => (await Product.findById(productId).lean())!.variants![0].stock;
  const delivered = (jobId: string) => smtp.received.filter((m) => m.jobId === jobId);
  const eventsOf = (type: string, variantId: string) => OutboxEvent.find({ type, aggregateId: `variant:${variantId}` }).sort({ occurredAt: 1 }).lean();

  /** Both relays pass over the outbox at the same time until nothing is pending, then the queue drains. */
  async function relayAndDrain(): Promise<void> {
    await pollUntil(
      'outbox published by the two relays',
      async () => {
        await Promise.all([ctx.container.outboxRelay.runOnce(), second.container.outboxRelay.runOnce()]);
        return (await OutboxEvent.countDocuments({ publishedAt: null, parkedAt: null })) === 0;
      },
      20_000,
      20,
    );
    await pollUntil(
      'email queue drained',
      async () => {
        const s = await queue.stats();
        return s.waiting + s.active + s.delayed === 0;
      },
      30_000,
      50,
    );
  }

  async function watch(caller: TestCaller, productId: string): Promise<void> {
    expectSuccess(await api().post('/api/v1/wishlist/items').set(caller.headers).send({ productId }), 201);
  }

  async function sellOut(productId: string, units: number): Promise<{ id: string; buyer: TestCaller }[]> {
    return Promise.all(buyers.slice(0, units).map(async (buyer) => ({ id: (await placeOrder(ctx, buyer.headers, [{ productId, quantity: 1 }])).id, buyer })));
  }

  it('when three cancels restock a sold-out variant at once and two relays publish, then each watcher gets one email, the opted-out and the late watcher none', async () => {
    const [alice, bob, carol, dave] = await Promise.all(Array.from({ length: 4 }, () => callerWithRole(ctx, 'customer')));
    const [lamp] = await insertProducts([{ name: 'Arc Lamp', price: 79, stock: 3 }]);
    const variantId = await variantOf(lamp);
    for (const watcher of [alice, bob, carol]) await watch(watcher, lamp);
    expectSuccess(await api().patch('/api/v1/wishlist').set(carol.headers).send({ notifyBackInStock: false }));

    const orders = await sellOut(lamp, 3);
    expect(await stockOf(lamp)).toBe(0);
    const cancels = await Promise.all(orders.map((o) => api().post(`/api/v1/orders/${o.id}/cancel`).set(o.buyer.headers).send({ version: 1 })));
    expect(cancels.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await stockOf(lamp)).toBe(3);
    expect((await Product.findById(lamp).select('+stockAlerts').lean())!.stockAlerts ?? []).toEqual([]);

    // One restock, one event, whichever cancel crossed 0 → 1.
    const events = await eventsOf('variant-back-in-stock', variantId);
    expect(events).toHaveLength(1);
    const seq = events[0].payload.restockSeq as number;
    expect(events[0]._id).toBe(`variant-back-in-stock:${variantId}:${seq}`);
    // Wishlisted after the variant came back: not part of this restock.
    await watch(dave, lamp);

    await relayAndDrain();
    const jobId = (c: TestCaller, s = seq) => `back-in-stock:${variantId}:${s}:${c.accountId}`;
    expect(delivered(jobId(alice))).toHaveLength(1);
    expect(delivered(jobId(bob))).toHaveLength(1);
    expect(delivered(jobId(carol))).toHaveLength(0);
    expect(delivered(jobId(dave))).toHaveLength(0);
    expect(delivered(jobId(alice))[0].subject).toBe('Arc Lamp is back in stock');
    expect(await EmailDelivery.countDocuments({ _id: { $in: [jobId(alice), jobId(bob)] } })).toBe(2);
    // A fan-out is confirmed when its emails are queued, so it is never re-published (re-resolved).
    expect((await OutboxEvent.findById(events[0]._id).lean())!.confirmedAt).not.toBeNull();

    // Sold out again, then a manager restocks it: a second restock, a second email each (dave now too).
    await sellOut(lamp, 3);
    const product = (await api().get(`/api/v1/products/${lamp}`).set(manager.headers)).body.data;
    expectSuccess(await api().patch(`/api/v1/products/${lamp}`).set(manager.headers).send({ version: product.version, stock: 2 }));
    const again = await eventsOf('variant-back-in-stock', variantId);
    expect(again).toHaveLength(2);
    const seq2 = again[1].payload.restockSeq as number;
    expect(seq2).toBeGreaterThan(seq);

    await relayAndDrain();
    for (const watcher of [alice, bob, dave]) expect(delivered(jobId(watcher, seq2))).toHaveLength(1);
    expect(delivered(jobId(carol, seq2))).toHaveLength(0);
    expect(delivered(jobId(alice))).toHaveLength(1);
  }, 90_000);

  it('when twenty restocks of a sold-out variant race through the stock-write path, then exactly one crosses and records the event', async () => {
    const [mug] = await insertProducts([{ name: 'Camp Mug', price: 12, stock: 0 }]);
    const variantId = await variantOf(mug);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        ctx.container.stock.applyStockChange({ kind: 'restock', productId: mug, variantId, quantity: 1 }),
      ),
    );
    expect(results.every((r) => r.applied)).toBe(true);
    expect(results.filter((r) => r.events.length)).toEqual([expect.objectContaining({ before: 0, after: 1, events: [expect.stringMatching(/^variant-back-in-stock:/)] })]);
    expect(await stockOf(mug)).toBe(20);
    expect(await eventsOf('variant-back-in-stock', variantId)).toHaveLength(1);
  });

  it('when an abandoned stock hold is given back by the sweep, then a sold-out variant is back in stock and its watcher is emailed once', async () => {
    const watcher = await callerWithRole(ctx, 'customer');
    const [tent] = await insertProducts([{ name: 'Dome Tent', price: 199, stock: 1 }]);
    const variantId = await variantOf(tent);
    await watch(watcher, tent);
    // What a placement killed mid-way leaves: the unit taken, the hold on the product, no order.
    const order = Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600).toHexString();
    expect(await ctx.container.stock.reserveStock({ productId: tent, variantId, quantity: 1 }, { hold: { order, line: 0 } })).toBe(true);
    expect(await stockOf(tent)).toBe(0);

    const sweep = createAbandonedHoldSweep({ products: createProductRepository(Product), stock: ctx.container.stock, orders: createOrderRepository(Order) }, 60_000);
    expect(await sweep()).toEqual({ released: 1, completed: 0 });
    expect(await sweep()).toEqual({ released: 0, completed: 0 });

    const [event] = await eventsOf('variant-back-in-stock', variantId);
    await relayAndDrain();
    expect(delivered(`back-in-stock:${variantId}:${event.payload.restockSeq}:${watcher.accountId}`)).toHaveLength(1);
  });

  it('when a staff variant edit takes stock from 0 to some, then it is a restock too', async () => {
    const watcher = await callerWithRole(ctx, 'customer');
    const [boot] = await insertProducts([{ name: 'Hiking Boot', price: 120, stock: 0 }]);
    const variantId = await variantOf(boot);
    await watch(watcher, boot);
    const product = (await api().get(`/api/v1/products/${boot}`).set(manager.headers)).body.data;
    expectSuccess(await api().patch(`/api/v1/products/${boot}/variants/${variantId}`).set(manager.headers).send({ version: product.version, stock: 4 }));
    const [event] = await eventsOf('variant-back-in-stock', variantId);
    expect(event).toMatchObject({ payload: expect.objectContaining({ stock: 4, productName: 'Hiking Boot', restockSeq: product.version + 1 }) });
    await relayAndDrain();
    expect(delivered(`back-in-stock:${variantId}:${product.version + 1}:${watcher.accountId}`)).toHaveLength(1);
  });

  it('when a staff write runs inside a caller\'s transaction (a category move), then its crossing is recorded in that transaction, not stored on the product', async () => {
    const [pack] = await insertProducts([{ name: 'Day Pack', price: 60, stock: 0 }]);
    const variantId = await variantOf(pack);
    const before = (await createProductRepository(Product).findById(pack))!;
    const variants = before.variants.map((v) => ({ ...v, stock: 3 }));
    const written = await ctx.container.transactions.run((session) => ctx.container.stock.writeProduct(before, before.version, { variants, stock: 3 }, session));
    expect(written).toMatchObject({ version: before.version + 1, stock: 3 });
    expect(await eventsOf('variant-back-in-stock', variantId)).toEqual([expect.objectContaining({ _id: `variant-back-in-stock:${variantId}:${before.version + 1}` })]);
    expect((await Product.findById(pack).select('+stockAlerts').lean())!.stockAlerts ?? []).toEqual([]);
  });

  it(`when eight concurrent orders take a variant from 8 across the threshold of ${THRESHOLD} to 0, then each admin gets one low-stock email per crossing and other staff none`, async () => {
    const admins = await Promise.all([callerWithRole(ctx, 'admin'), callerWithRole(ctx, 'admin')]);
    const [stove] = await insertProducts([{ name: 'Camp Stove', price: 45, stock: 8 }]);
    const variantId = await variantOf(stove);

    await sellOut(stove, 8);
    expect(await stockOf(stove)).toBe(0);
    const events = await eventsOf('variant-low-stock', variantId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ threshold: THRESHOLD, stock: expect.any(Number) });
    expect(events[0].payload.stock).toBeLessThan(THRESHOLD);

    await relayAndDrain();
    const jobId = (c: TestCaller, seq: unknown) => `low-stock:${variantId}:${seq}:${c.accountId}`;
    for (const admin of admins) expect(delivered(jobId(admin, events[0].payload.seq))).toHaveLength(1);
    expect(delivered(jobId(manager, events[0].payload.seq))).toHaveLength(0);
    expect(delivered(jobId(admins[0], events[0].payload.seq))[0].subject).toMatch(/^Low stock: FIX-\d+ has \d left$/);

    // Restocked above the threshold (no alert on the way up), then sold below it again: a second crossing.
    const product = (await api().get(`/api/v1/products/${stove}`).set(manager.headers)).body.data;
    expectSuccess(await api().patch(`/api/v1/products/${stove}`).set(manager.headers).send({ version: product.version, stock: 10 }));
    expect(await eventsOf('variant-low-stock', variantId)).toHaveLength(1);
    await sellOut(stove, 6);
    const both = await eventsOf('variant-low-stock', variantId);
    expect(both).toHaveLength(2);

    await relayAndDrain();
    for (const admin of admins) {
      expect(delivered(jobId(admin, both[0].payload.seq))).toHaveLength(1);
      expect(delivered(jobId(admin, both[1].payload.seq))).toHaveLength(1);
    }
  }, 60_000);

  it('when the process dies between the stock write and the outbox, then the alert waits on the product and the sweep delivers it once', async () => {
    const watcher = await callerWithRole(ctx, 'customer');
    const [stool] = await insertProducts([{ name: 'Camp Stool', price: 25, stock: 0 }]);
    const variantId = await variantOf(stool);
    await watch(watcher, stool);
    // A stock writer whose outbox is unreachable: what a process killed right after the write leaves.
    const unreachable = { ...ctx.container.outbox, record: async () => Promise.reject(new Error('connection lost')) };
    const doomed = createStockWriter({ stock: createStockRepository(Product), products: createProductRepository(Product), outbox: unreachable, lowStockThreshold: THRESHOLD });
    const restocked = await doomed.applyStockChange({ kind: 'restock', productId: stool, variantId, quantity: 2 });
    expect(restocked).toMatchObject({ applied: true, before: 0, after: 2, events: [expect.stringMatching(/^variant-back-in-stock:/)] });
    expect(await eventsOf('variant-back-in-stock', variantId)).toHaveLength(0);
    const stored = await Product.findById(stool).select('+stockAlerts').lean();
    expect(stored!.stockAlerts).toEqual([expect.objectContaining({ id: restocked.events[0], type: 'variant-back-in-stock' })]);

    expect(await ctx.container.stock.moveStrandedAlerts(0)).toEqual({ moved: 1 });
    expect(await ctx.container.stock.moveStrandedAlerts(0)).toEqual({ moved: 0 });
    const [event] = await eventsOf('variant-back-in-stock', variantId);
    expect(event._id).toBe(restocked.events[0]);
    // It happened at the write, not at the sweep.
    expect(event.occurredAt.getTime()).toBe(new Date(stored!.stockAlerts![0].at!).getTime());
    expect((await Product.findById(stool).select('+stockAlerts').lean())!.stockAlerts).toEqual([]);

    await relayAndDrain();
    expect(delivered(`back-in-stock:${variantId}:${event.payload.restockSeq}:${watcher.accountId}`)).toHaveLength(1);
  });

  it('when every alert email has been sent, then no job id reached the SMTP sink twice', () => {
    const counts = new Map<string, number>();
    for (const m of smtp.received) counts.set(String(m.jobId), (counts.get(String(m.jobId)) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  });
});

// Tops the benchmark database (MONGODB_URI) up to BENCH_SEED_ORDERS paid orders spread over the
// BENCH_SEED_DAYS days before BENCH_SEED_NOW, then rebuilds the hourly sales rollups with the
// analytics service's own rebuild, and prints one JSON line: orders, insert and rebuild times, the
// rollups written, and the docs the sales query examines (explain). Run by bench/run.ts as a child
// process before the analytics scenarios; inserting straight into the collection in batches keeps
// 100,000 orders to seconds, where placing them through the API would take the bench's whole budget.
import mongoose, { Types } from 'mongoose';
import { config } from '../src/config';
import { connectDatabase } from '../src/loaders/db';
import { createRepositories } from '../src/loaders/repositories';
import { orderModel } from '../src/models/Order';
import { salesRollupModel } from '../src/models/SalesRollup';
import { seriesPipeline } from '../src/repositories/analytics.repository';
import { createAnalyticsService } from '../src/services/analytics/analytics.service';
import { createPasswordHasher } from '../src/services/auth/password';
import { createTransactionRunner } from '../src/services/transactions';

const TARGET = Number(process.env.BENCH_SEED_ORDERS ?? 100_000);
const DAYS = Number(process.env.BENCH_SEED_DAYS ?? 90);
const NOW = new Date(process.env.BENCH_SEED_NOW ?? Date.now());
const BATCH = 2_000;
/** Customers the orders belong to (ids only: the rollups need an account, not its document). */
const CUSTOMERS = 5_000;
const HOUR_MS = 3_600_000;

/** Deterministic, so two runs seed the same orders. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface CatalogLine {
  _id: Types.ObjectId;
  name: string;
  sku: string;
  priceMinor: number;
}

const address = { fullName: 'Bench Buyer', line1: '1 Load Street', city: 'Benchville', postalCode: '10001', country: 'DE' };

/** Order number `n`: placed, paid five minutes later; one in twenty cancelled after paying, one in four shipped. */
function order(n: number, random: () => number, products: readonly CatalogLine[], customers: readonly Types.ObjectId[]) {
  // Placed in the range, at least an hour before NOW, so every change lies in the past.
  const placedAt = new Date(NOW.getTime() - HOUR_MS - Math.floor(random() * (DAYS * 24 - 2) * HOUR_MS));
  const paidAt = new Date(placedAt.getTime() + 5 * 60_000);
  const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
    const p = products[Math.floor(random() * products.length)]!;
    const quantity = 1 + Math.floor(random() * 3);
    return { product: p._id, name: p.name, sku: p.sku, unitPriceMinor: p.priceMinor, quantity, lineTotalMinor: p.priceMinor * quantity };
  });
  const totalMinor = items.reduce((sum, i) => sum + i.lineTotalMinor, 0);
  const history = [
    { status: 'pending', at: placedAt, by: null },
    { status: 'paid', at: paidAt, by: null },
  ];
  const fate = n % 20 === 0 ? 'cancelled' : n % 4 === 0 ? 'shipped' : 'paid';
  const last = new Date(paidAt.getTime() + 30 * 60_000);
  if (fate !== 'paid') history.push({ status: fate, at: last, by: null });
  return {
    account: customers[Math.floor(random() * customers.length)]!,
    items,
    subtotalMinor: totalMinor,
    totalMinor,
    currency: 'EUR',
    status: fate,
    statusHistory: history,
    shippingAddress: address,
    ...(fate === 'shipped' && { shipment: { carrier: 'DHL', trackingNumber: `BENCH${n}`, shippedAt: last } }),
    version: history.length,
    createdAt: placedAt,
    updatedAt: history.at(-1)!.at,
  };
}

async function main(): Promise<void> {
  const db = await connectDatabase(config);
  try {
    const { connection } = db;
    const repositories = createRepositories(connection, createPasswordHasher(config.auth.passwordHash));
    const Order = orderModel(connection);
    await Order.init();
    const products = await connection
      .collection<CatalogLine>('products')
      .find({ deletedAt: null }, { projection: { name: 1, sku: 1, priceMinor: 1 } })
      .limit(2_000)
      .toArray();
    if (!products.length) throw new Error('seed the catalog first (bench/seed.ts)');
    const random = prng(TARGET);
    const customerRandom = prng(7);
    const customers = Array.from({ length: CUSTOMERS }, () => new Types.ObjectId(Math.floor(customerRandom() * 2 ** 32).toString(16).padStart(24, '0')));
    // Orders the bench placed earlier (the customer's 30) stay; this tops the count up.
    const existing = await Order.collection.countDocuments();
    let inserted = 0;
    const insertStarted = Date.now();
    for (let n = existing; n < TARGET; n += BATCH) {
      const docs = Array.from({ length: Math.min(BATCH, TARGET - n) }, (_, i) => order(n + i, random, products, customers));
      await Order.collection.insertMany(docs, { ordered: false });
      inserted += docs.length;
    }
    const insertMs = Date.now() - insertStarted;

    const analytics = createAnalyticsService({ repository: repositories.analytics, transactions: createTransactionRunner(connection) });
    const from = new Date(NOW.getTime() - (DAYS + 1) * 24 * HOUR_MS);
    const rebuildStarted = Date.now();
    const rebuilt = await analytics.rebuild(from, NOW);
    const rebuildMs = Date.now() - rebuildStarted;

    // What the sales request reads: the rollups of the range, through the `hour` index.
    const Rollups = salesRollupModel(connection);
    const pipeline = seriesPipeline(new Date(NOW.getTime() - DAYS * 24 * HOUR_MS), NOW, 'day', 'Europe/Berlin');
    const explained = (await Rollups.aggregate(pipeline).explain('executionStats')) as unknown as Record<string, unknown>;
    const stages = (explained.stages as Record<string, unknown>[] | undefined) ?? [];
    const cursor = (stages[0]?.$cursor as Record<string, unknown> | undefined) ?? explained;
    const stats = cursor.executionStats as { totalKeysExamined?: number; totalDocsExamined?: number } | undefined;
    process.stdout.write(
      `${JSON.stringify({
        orders: await Order.collection.countDocuments(),
        inserted,
        insertMs,
        rebuildMs,
        rebuiltOrders: rebuilt.orders,
        rollups: rebuilt.hours,
        keysExamined: stats?.totalKeysExamined ?? null,
        docsExamined: stats?.totalDocsExamined ?? null,
      })}\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`seed-orders failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
  void mongoose.disconnect();
});

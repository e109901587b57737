// The only code that touches the sales rollups and their applied-events ledger, plus the reads the
// analytics service needs from orders (rebuild, first paid order) and products (names, categories,
// low stock). Series and tops read rollup documents only: O(hours in range), never orders.
import mongoose, { type ClientSession, type PipelineStage, type Types } from 'mongoose';
import type { OrderModel } from '../models/Order';
import type { ProductModel } from '../models/Product';
import { averageOrderValueMinor, rollupIncrement, ROLLUP_SUMS, type AppliedEventModel, type SalesRollupDoc, type SalesRollupModel, type SalesSpanRollupDoc, type SalesSpanRollupModel } from '../models/SalesRollup';
import { coverRange, SPANS, spanStart, SPAN_MS } from './analytics.spans';
import type { OrderRecord } from './order.repository';

export type Interval = 'day' | 'week' | 'month';

export interface SeriesBucket {
  /** The bucket's start as a local date in the time zone (`2026-03-29`). */
  readonly period: string;
  /** The bucket's start as an instant. */
  readonly start: Date;
  readonly orders: number;
  readonly units: number;
  readonly grossMinor: number;
  readonly refundsMinor: number;
  readonly netMinor: number;
  readonly newCustomers: number;
}

export interface RankedLine {
  readonly key: string;
  readonly units: number;
  readonly revenueMinor: number;
}

export interface LowStockVariant {
  readonly productId: string;
  readonly name: string;
  readonly sku: string;
  readonly stock: number;
}

/** The numeric $inc of one delta; field names are built from product ids and encoded category keys. */
export interface RollupIncrement {
  readonly hour: Date;
  readonly inc: Record<string, number>;
}

/** Documents per insertMany of the rebuild. */
const WRITE_BATCH = 500;

/** The series aggregation (exported for `npm run db:explain`): an index range scan on `hour`, then a group. */
export function seriesPipeline(from: Date, to: Date, interval: Interval, timezone: string): PipelineStage[] {
  return [
    { $match: { hour: { $gte: from, $lt: to } } },
    {
      $group: {
        _id: { $dateTrunc: { date: '$hour', unit: interval, timezone, startOfWeek: 'monday' } },
        ...Object.fromEntries(ROLLUP_SUMS.map((f) => [f, { $sum: `$${f}` }])),
      },
    },
    { $sort: { _id: 1 } },
    { $addFields: { start: '$_id', period: { $dateToString: { date: '$_id', format: '%Y-%m-%d', timezone } } } },
    { $project: { _id: 0 } },
  ];
}

/**
 * The ranked aggregation (exported for `npm run db:explain`): the hourly documents at the range's
 * edges (index range scans on `hour`) plus the day/week span documents of its interior (on
 * `{span, start}`), per key of `field` summed, best revenue first. O(weeks + days + edge hours).
 */
export function rankedPipeline(field: 'products' | 'categories', from: Date, to: Date, limit: number, spansCollection: string): PipelineStage[] {
  const cover = coverRange(from, to);
  const lines = { $project: { _id: 0, line: { $objectToArray: `$${field}` } } };
  const hours = cover.hours.length ? { $or: cover.hours.map(([a, b]) => ({ hour: { $gte: a, $lt: b } })) } : { hour: { $gte: to, $lt: to } };
  const spans = cover.spans.map((s) => ({ span: s.span, start: { $gte: s.from, $lt: s.to } }));
  return [
    { $match: hours },
    lines,
    ...(spans.length ? [{ $unionWith: { coll: spansCollection, pipeline: [{ $match: { $or: spans } }, lines] } }] : []),
    { $unwind: '$line' },
    { $group: { _id: '$line.k', units: { $sum: '$line.v.units' }, revenueMinor: { $sum: '$line.v.revenueMinor' } } },
    { $sort: { revenueMinor: -1, units: -1, _id: 1 } },
    { $limit: limit },
    { $project: { _id: 0, key: '$_id', units: 1, revenueMinor: 1 } },
  ];
}

type Lines = Record<string, { units: number; revenueMinor: number }>;

function addLines(into: Lines, from: Lines | undefined): void {
  for (const [key, v] of Object.entries(from ?? {})) {
    const before = into[key] ?? { units: 0, revenueMinor: 0 };
    into[key] = { units: before.units + v.units, revenueMinor: before.revenueMinor + v.revenueMinor };
  }
}

export type AnalyticsRepository = ReturnType<typeof createAnalyticsRepository>;

export function createAnalyticsRepository(models: { rollups: SalesRollupModel; spans: SalesSpanRollupModel; applied: AppliedEventModel; orders: OrderModel; products: ProductModel }) {
  const { rollups, spans, applied, orders, products } = models;

  /**
   * Writes rebuilt hour documents in bulk: a `fresh` one (its hour not written yet) is inserted as
   * is; another adds its sums and lines to what is stored ($inc; its average is refreshed later).
   */
  async function addToHours(docs: readonly { doc: SalesRollupDoc; fresh: boolean }[]): Promise<void> {
    for (let i = 0; i < docs.length; i += WRITE_BATCH) {
      const ops = docs.slice(i, i + WRITE_BATCH).map(({ doc, fresh }) =>
        fresh ? { insertOne: { document: { ...doc } } } : { updateOne: { filter: { hour: doc.hour }, update: { $inc: rollupIncrement(doc) }, upsert: true } },
      );
      if (ops.length) await rollups.collection.bulkWrite(ops, { ordered: false });
    }
  }

  /** Recomputes every span document overlapping [from, to) from the hourly documents (the rebuild). */
  async function refoldSpans(from: Date, to: Date): Promise<void> {
    const widest = SPANS[0];
    const start = spanStart(widest, from);
    const end = new Date(Math.ceil(to.getTime() / SPAN_MS[widest]) * SPAN_MS[widest]);
    const folded = new Map<string, SalesSpanRollupDoc>();
    const cursor = rollups.collection.find({ hour: { $gte: start, $lt: end } }, { projection: { _id: 0, hour: 1, products: 1, categories: 1 } });
    for await (const hourly of cursor) {
      for (const span of SPANS) {
        const spanAt = spanStart(span, hourly.hour as Date);
        const key = `${span}:${spanAt.getTime()}`;
        const doc = folded.get(key) ?? { span, start: spanAt, products: {}, categories: {} };
        addLines(doc.products, hourly.products as Lines | undefined);
        addLines(doc.categories, hourly.categories as Lines | undefined);
        folded.set(key, doc);
      }
    }
    await spans.collection.deleteMany({ start: { $gte: start, $lt: end } });
    const docs = [...folded.values()];
    for (let i = 0; i < docs.length; i += WRITE_BATCH) await spans.collection.insertMany(docs.slice(i, i + WRITE_BATCH), { ordered: false });
  }

  return {
    /**
     * Folds increments in once per event id: false when the ledger already holds the id. With a
     * session, ledger row and $inc commit together; a concurrent duplicate is a write conflict
     * (the transaction is retried and then finds the row).
     */
    async applyOnce(eventId: string, increments: readonly RollupIncrement[], now: Date, session: ClientSession | null): Promise<boolean> {
      const opts = { session: session ?? undefined };
      if (await applied.exists({ _id: eventId }).session(session)) return false;
      try {
        await applied.collection.insertOne({ _id: eventId as unknown as Types.ObjectId, appliedAt: now }, opts);
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
      for (const { hour, inc } of increments) {
        // An hour first written by a refund (sums only) gets the empty maps a rebuilt document has.
        const onInsert: Record<string, unknown> = { hour };
        for (const field of ['products', 'categories']) if (!Object.keys(inc).some((k) => k.startsWith(`${field}.`))) onInsert[field] = {};
        const doc = await rollups.collection.findOneAndUpdate(
          { hour },
          { $inc: inc, $setOnInsert: onInsert },
          { upsert: true, returnDocument: 'after', ...opts },
        );
        const aov = averageOrderValueMinor(Number(doc?.grossMinor ?? 0), Number(doc?.orders ?? 0));
        await rollups.collection.updateOne({ hour }, { $set: { averageOrderValueMinor: aov } }, opts);
        // The same per-product/category figures into the day and week holding the hour.
        const lines = Object.fromEntries(Object.entries(inc).filter(([field]) => field.startsWith('products.') || field.startsWith('categories.')));
        if (!Object.keys(lines).length) continue;
        for (const span of SPANS) {
          const start = spanStart(span, hour);
          await spans.collection.updateOne({ span, start }, { $inc: lines, $setOnInsert: { span, start } }, { upsert: true, ...opts });
        }
      }
      return true;
    },

    /** Removes the hourly documents of [from, to) (the rebuild, before it writes them again). */
    async deleteHours(from: Date, to: Date): Promise<void> {
      await rollups.collection.deleteMany({ hour: { $gte: from, $lt: to } });
    },

    addToHours,

    /** Sets the average order value of these hours from their stored sums. */
    async refreshAverages(hours: readonly Date[]): Promise<void> {
      for (let i = 0; i < hours.length; i += WRITE_BATCH) {
        const docs = await rollups.collection.find({ hour: { $in: hours.slice(i, i + WRITE_BATCH) } }, { projection: { hour: 1, orders: 1, grossMinor: 1 } }).toArray();
        const ops = docs.map((d) => ({ updateOne: { filter: { _id: d._id }, update: { $set: { averageOrderValueMinor: averageOrderValueMinor(Number(d.grossMinor ?? 0), Number(d.orders ?? 0)) } } } }));
        if (ops.length) await rollups.collection.bulkWrite(ops, { ordered: false });
      }
    },

    refoldSpans,

    /** Replaces every rollup with `from <= hour < to` by `docs`, then refolds the spans overlapping the range. */
    async replaceRange(from: Date, to: Date, docs: readonly SalesRollupDoc[]): Promise<void> {
      await rollups.collection.deleteMany({ hour: { $gte: from, $lt: to } });
      await addToHours(docs.map((doc) => ({ doc, fresh: true })));
      await refoldSpans(from, to);
    },

    async findRange(from: Date, to: Date): Promise<SalesRollupDoc[]> {
      return rollups.find({ hour: { $gte: from, $lt: to } }, { _id: 0 }).sort({ hour: 1 }).lean<SalesRollupDoc[]>();
    },

    /** The rollups of [from, to) summed per day/week/month starting in `timezone` (weeks start on Monday). */
    async series(from: Date, to: Date, interval: Interval, timezone: string): Promise<SeriesBucket[]> {
      return rollups.aggregate<SeriesBucket>(seriesPipeline(from, to, interval, timezone));
    },

    /** Units and revenue per key of `field` (products or categories) over [from, to), best revenue first. */
    async ranked(field: 'products' | 'categories', from: Date, to: Date, limit: number): Promise<RankedLine[]> {
      return rollups.aggregate<RankedLine>(rankedPipeline(field, from, to, limit, spans.collection.collectionName));
    },

    /** Names and categories of products by id (O(ids)). */
    async productInfo(ids: readonly string[]): Promise<Map<string, { name: string; category: string }>> {
      const docs = await products.find({ _id: { $in: ids } }, { name: 1, category: 1 }).lean<{ _id: Types.ObjectId; name: string; category: string }[]>();
      return new Map(docs.map((d) => [String(d._id), { name: d.name, category: d.category }]));
    },

    /** Active variants of live products with stock below `threshold`, lowest stock first. */
    async lowStock(threshold: number, limit: number): Promise<LowStockVariant[]> {
      return products.aggregate<Omit<LowStockVariant, 'productId'> & { _id: Types.ObjectId }>([
        { $match: { deletedAt: null, 'variants.stock': { $lt: threshold } } },
        { $unwind: '$variants' },
        { $match: { 'variants.active': true, 'variants.stock': { $lt: threshold } } },
        { $sort: { 'variants.stock': 1, 'variants.sku': 1 } },
        { $limit: limit },
        { $project: { _id: 1, name: 1, sku: '$variants.sku', stock: '$variants.stock' } },
      ]).then((rows) => rows.map(({ _id, ...row }) => ({ productId: String(_id), ...row })));
    },

    async findOrder(id: string, session: ClientSession | null = null): Promise<OrderRecord | null> {
      return orders.findById(id).session(session).lean<OrderRecord | null>();
    },

    /** Whether another order of the account was paid before this one (ties broken by id). */
    async hasEarlierPaidOrder(account: Types.ObjectId, orderId: Types.ObjectId, paidAt: Date): Promise<boolean> {
      const found = await orders.exists({
        account,
        _id: { $ne: orderId },
        $or: [
          { statusHistory: { $elemMatch: { status: 'paid', at: { $lt: paidAt } } } },
          { _id: { $lt: orderId }, statusHistory: { $elemMatch: { status: 'paid', at: paidAt } } },
        ],
      });
      return found !== null;
    },

    /**
     * The first paid order of each account (earliest paid change, ties by id) over all its orders —
     * what `hasEarlierPaidOrder` answers one order at a time — for the rebuild, one read per batch.
     */
    async firstPaidOrders(accounts: readonly string[]): Promise<Map<string, string>> {
      const rows = await orders.aggregate<{ _id: Types.ObjectId; first: Types.ObjectId }>([
        { $match: { account: { $in: accounts.map((a) => new mongoose.Types.ObjectId(a)) }, 'statusHistory.status': 'paid' } },
        { $project: { account: 1, paidAt: { $min: { $map: { input: { $filter: { input: '$statusHistory', cond: { $eq: ['$$this.status', 'paid'] } } }, in: '$$this.at' } } } } },
        { $sort: { paidAt: 1, _id: 1 } },
        { $group: { _id: '$account', first: { $first: '$_id' } } },
      ]);
      return new Map(rows.map((r) => [String(r._id), String(r.first)]));
    },

    /** Orders with a change to one of `statuses` or a refund in [from, to), streamed (the rebuild). */
    ordersChangedIn(from: Date, to: Date, statuses: readonly string[]): AsyncIterable<OrderRecord> {
      const within = { $gte: from, $lt: to };
      return orders
        .find({
          createdAt: { $lt: to },
          updatedAt: { $gte: from },
          $or: [{ statusHistory: { $elemMatch: { status: { $in: statuses }, at: within } } }, { 'payment.refunds': { $elemMatch: { at: within } } }],
        })
        .sort({ _id: 1 })
        .lean<OrderRecord[]>()
        .batchSize(1_000)
        .cursor() as unknown as AsyncIterable<OrderRecord>;
    },
  };
}

// `npm run analytics:rebuild`: recomputes the hourly rollups of a range from the orders, with the
// same contribution rules the worker applies per event (status facts and refund records), and
// replaces the range's documents.
// Run it with the outbox drained (no order event of the range still unapplied), or an event applied
// after the rebuild counts a second time.
//
// Cost: O(orders) in CPU, O(hours) in writes. Orders stream through a cursor in batches; each batch
// costs at most two reads (the categories of products not seen yet, the first paid order of accounts
// not seen yet), not two per order. Hour documents accumulate in memory and are written in bulk; when
// more than MAX_BUFFERED_HOURS are held they are flushed as $inc (an hour can get facts from orders
// anywhere in the stream — a refund weeks after the sale), and the hours flushed more than once get
// their average order value recomputed at the end.
import type { SalesRollupDoc } from '../../models/SalesRollup';
import type { AnalyticsRepository } from '../../repositories/analytics.repository';
import type { OrderRecord } from '../../repositories/order.repository';
import { applyDelta, changedAt, contributionOf, CONTRIBUTIONS, countedRefunds, emptyRollup, factsOf, refundContribution, type RollupDelta } from './contribution';
import { ceilHour, floorHour } from './time';

export interface RebuildResult {
  readonly from: string;
  readonly to: string;
  readonly orders: number;
  readonly hours: number;
}

/** Orders per batch (one category and one first-paid lookup each). */
const ORDER_BATCH = 500;
/** Hour documents held before a flush (each holds the products and categories sold in its hour). */
export const MAX_BUFFERED_HOURS = 5_000;

async function* batches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

export interface RebuildLimits {
  readonly orderBatch?: number;
  readonly maxBufferedHours?: number;
}

export async function rebuildRollups(deps: { repository: AnalyticsRepository; limits?: RebuildLimits }, fromAt: Date, toAt: Date): Promise<RebuildResult> {
  const { repository } = deps;
  const maxBuffered = deps.limits?.maxBufferedHours ?? MAX_BUFFERED_HOURS;
  const from = floorHour(fromAt);
  const to = ceilHour(toAt);
  const buffered = new Map<number, SalesRollupDoc>();
  /** Hours already written once: a second write adds to them and leaves their average to the end. */
  const written = new Set<number>();
  const rewritten = new Set<number>();
  const categories = new Map<string, string>();
  const firstPaid = new Map<string, string | null>();
  let orders = 0;

  const flush = async () => {
    const docs = [...buffered.values()].map((doc) => ({ doc, fresh: !written.has(doc.hour.getTime()) }));
    for (const { doc, fresh } of docs) (fresh ? written : rewritten).add(doc.hour.getTime());
    await repository.addToHours(docs);
    buffered.clear();
  };

  await repository.deleteHours(from, to);
  for await (const batch of batches(repository.ordersChangedIn(from, to, Object.keys(CONTRIBUTIONS)), deps.limits?.orderBatch ?? ORDER_BATCH)) {
    await lookUpBatch(repository, batch, categories, firstPaid);
    for (const order of batch) {
      orders += 1;
      const deltas: (RollupDelta | null)[] = factsOf(order).map((status) => {
        const isFirstPaidOrder = status === 'paid' && changedAt(order, 'paid') !== null && firstPaid.get(String(order.account)) === String(order._id);
        return contributionOf(order, status, { categoryOf: (id) => categories.get(id) ?? 'uncategorized', isFirstPaidOrder });
      });
      // Each refund record, in the hour of its own `at` (what the consumer counts once per refund id).
      deltas.push(...countedRefunds(order).map(refundContribution));
      for (const delta of deltas) {
        if (!delta || delta.hour < from || delta.hour >= to) continue;
        const key = delta.hour.getTime();
        buffered.set(key, applyDelta(buffered.get(key) ?? emptyRollup(delta.hour), delta));
      }
    }
    if (buffered.size > maxBuffered) await flush();
  }
  await flush();
  await repository.refreshAverages([...rewritten].map((t) => new Date(t)));
  await repository.refoldSpans(from, to);
  return { from: from.toISOString(), to: to.toISOString(), orders, hours: written.size };
}

/** Fills the caches with what this batch needs and they lack: product categories, accounts' first paid orders. */
async function lookUpBatch(repository: AnalyticsRepository, batch: readonly OrderRecord[], categories: Map<string, string>, firstPaid: Map<string, string | null>): Promise<void> {
  const productIds = [...new Set(batch.flatMap((o) => o.items.map((i) => String(i.product))))].filter((id) => !categories.has(id));
  if (productIds.length) {
    const info = await repository.productInfo(productIds);
    for (const id of productIds) categories.set(id, info.get(id)?.category ?? 'uncategorized');
  }
  const accounts = [...new Set(batch.filter((o) => changedAt(o, 'paid')).map((o) => String(o.account)))].filter((a) => !firstPaid.has(a));
  if (accounts.length) {
    const first = await repository.firstPaidOrders(accounts);
    for (const account of accounts) firstPaid.set(account, first.get(account) ?? null);
  }
}

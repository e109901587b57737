// `npm run analytics:rebuild`: recomputes the hourly rollups of a range from the orders, with the
// same contribution rules the worker applies per event, and replaces the range's documents.
// Run it with the outbox drained (no order event of the range still unapplied), or an event applied
// after the rebuild counts a second time.
import type { SalesRollupDoc } from '../../models/SalesRollup';
import type { AnalyticsRepository } from '../../repositories/analytics.repository';
import type { OrderRecord } from '../../repositories/order.repository';
import { applyDelta, CONTRIBUTIONS, emptyRollup, factsOf, type RollupDelta } from './contribution';
import { ceilHour, floorHour } from './time';

export interface RebuildResult {
  readonly from: string;
  readonly to: string;
  readonly orders: number;
  readonly hours: number;
}

export async function rebuildRollups(
  deps: { repository: AnalyticsRepository; deltaOf: (order: OrderRecord, status: string, cache: Map<string, boolean>) => Promise<RollupDelta | null> },
  fromAt: Date,
  toAt: Date,
): Promise<RebuildResult> {
  const from = floorHour(fromAt);
  const to = ceilHour(toAt);
  const docs = new Map<number, SalesRollupDoc>();
  const cache = new Map<string, boolean>();
  let orders = 0;
  for await (const order of deps.repository.ordersChangedIn(from, to, Object.keys(CONTRIBUTIONS))) {
    orders += 1;
    for (const status of factsOf(order)) {
      const delta = await deps.deltaOf(order, status, cache);
      if (!delta || delta.hour < from || delta.hour >= to) continue;
      const key = delta.hour.getTime();
      docs.set(key, applyDelta(docs.get(key) ?? emptyRollup(delta.hour), delta));
    }
  }
  await deps.repository.replaceRange(from, to, [...docs.values()]);
  return { from: from.toISOString(), to: to.toISOString(), orders, hours: docs.size };
}

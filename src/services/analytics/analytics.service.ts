// Sales analytics: folds order events into hourly rollups (the worker's analytics consumer), and
// answers the admin queries from the rollups (series in a time zone, totals, previous period, tops).
import { averageOrderValueMinor, rollupIncrement } from '../../models/SalesRollup';
import type { AnalyticsRepository, Interval, RankedLine, SeriesBucket } from '../../repositories/analytics.repository';
import type { OrderRecord } from '../../repositories/order.repository';
import { logger } from '../../utils/logger';
import { fromMinorUnits } from '../query-engine';
import type { TransactionRunner } from '../transactions';
import { categoryName, changedAt, contributionOf, countedRefunds, factOfEvent, refundContribution, refundFactKey, type RollupDelta } from './contribution';
import { rebuildRollups, type RebuildResult } from './rebuild';
import { floorHour, parseBoundary } from './time';

export interface AnalyticsEvent {
  readonly id: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

export type ApplyOutcome = 'applied' | 'already-applied' | 'no-contribution' | 'unknown-order';

export interface SalesQuery {
  readonly from?: string;
  readonly to?: string;
  readonly interval: Interval;
  readonly tz: string;
}

export interface RangeQuery {
  readonly from?: string;
  readonly to?: string;
  readonly tz: string;
  readonly limit: number;
}

const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_DAYS = 30;
/** The longest range one request may ask for; the comparison reads as much again. */
export const MAX_RANGE_DAYS = 366;

/** The rollup $inc for a delta: top-level sums plus one field per product and category. */
export function incrementOf(delta: RollupDelta): { hour: Date; inc: Record<string, number> } {
  return { hour: delta.hour, inc: rollupIncrement(delta) };
}

function totalsOf(buckets: readonly Pick<SeriesBucket, 'orders' | 'units' | 'grossMinor' | 'refundsMinor' | 'netMinor' | 'newCustomers'>[]) {
  const sum = (f: 'orders' | 'units' | 'grossMinor' | 'refundsMinor' | 'netMinor' | 'newCustomers') => buckets.reduce((n, b) => n + b[f], 0);
  const orders = sum('orders');
  const grossMinor = sum('grossMinor');
  return {
    orders,
    units: sum('units'),
    grossRevenue: fromMinorUnits(grossMinor),
    refunds: fromMinorUnits(sum('refundsMinor')),
    netRevenue: fromMinorUnits(sum('netMinor')),
    averageOrderValue: fromMinorUnits(averageOrderValueMinor(grossMinor, orders)),
    newCustomers: sum('newCustomers'),
  };
}
export type SalesTotals = ReturnType<typeof totalsOf>;

/** Relative change in percent (one decimal); null when the previous value is 0. */
function change(now: number, before: number): number | null {
  return before === 0 ? null : Math.round(((now - before) / Math.abs(before)) * 1000) / 10;
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

export function createAnalyticsService(deps: { repository: AnalyticsRepository; transactions: TransactionRunner; now?: () => Date }) {
  const { repository, transactions } = deps;
  const now = deps.now ?? (() => new Date());

  /** The delta of one order fact, computed from the order as stored (the rebuild applies the same rules, looking up in batches). */
  async function deltaOf(order: OrderRecord, status: string): Promise<RollupDelta | null> {
    const info = await repository.productInfo([...new Set(order.items.map((i) => String(i.product)))]);
    const paidAt = changedAt(order, 'paid');
    const isFirstPaidOrder = status === 'paid' && paidAt !== null && !(await repository.hasEarlierPaidOrder(order.account, order._id, paidAt));
    return contributionOf(order, status, { categoryOf: (id) => info.get(id)?.category ?? 'uncategorized', isFirstPaidOrder });
  }

  function resolveRange(q: { from?: string; to?: string; tz: string }) {
    const to = q.to ? parseBoundary(q.to, q.tz) : now();
    const from = q.from ? parseBoundary(q.from, q.tz) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    return { from: floorHour(from), to: floorHour(to) };
  }

  async function named(lines: RankedLine[], kind: 'product' | 'category') {
    if (kind === 'category') return lines.map((l) => ({ category: categoryName(l.key), units: l.units, revenue: fromMinorUnits(l.revenueMinor) }));
    const info = await repository.productInfo(lines.map((l) => l.key));
    return lines.map((l) => ({ productId: l.key, name: info.get(l.key)?.name ?? null, category: info.get(l.key)?.category ?? null, units: l.units, revenue: fromMinorUnits(l.revenueMinor) }));
  }

  return {
    /**
     * The analytics consumer: folds one event into the rollups exactly once (ledger by event id,
     * written in the same transaction as the $inc). A refund event also counts each refund record of
     * the order not counted yet, each under its own ledger key (`order-refund:<order>:<refund id>`),
     * so a redelivered event, or a later one that finds the same records, counts none twice. An event
     * for an order that no longer exists, or a change that contributes nothing (shipped, an unpaid
     * cancel), changes nothing.
     */
    async applyEvent(event: AnalyticsEvent): Promise<ApplyOutcome> {
      const fact = factOfEvent(event.type, event.payload);
      if (!fact) return 'no-contribution';
      const order = await repository.findOrder(fact.orderId);
      if (!order) {
        logger.warn('analytics event for an unknown order; nothing counted', { eventId: event.id, orderId: fact.orderId });
        return 'unknown-order';
      }
      const facts: { key: string; delta: RollupDelta }[] = [];
      if (fact.refunds) for (const refund of countedRefunds(order)) facts.push({ key: refundFactKey(fact.orderId, refund.providerRefundId), delta: refundContribution(refund) });
      const delta = fact.status === null ? null : await deltaOf(order, fact.status);
      if (delta) facts.push({ key: event.id, delta });
      if (!facts.length) return 'no-contribution';
      const outcomes: boolean[] = [];
      const supportsTransactions = await transactions.supportsTransactions();
      for (const { key, delta: d } of facts) {
        const apply = (session: Parameters<typeof repository.applyOnce>[3]) => repository.applyOnce(key, [incrementOf(d)], now(), session);
        outcomes.push(supportsTransactions ? await transactions.run(apply) : await apply(null));
      }
      return outcomes.some(Boolean) ? 'applied' : 'already-applied';
    },

    /** Recomputes the rollups of [from, to) (whole UTC hours) from the orders. */
    rebuild(from: Date, to: Date): Promise<RebuildResult> {
      return rebuildRollups({ repository }, from, to);
    },

    async sales(q: SalesQuery) {
      const { from, to } = resolveRange(q);
      const length = to.getTime() - from.getTime();
      const previousFrom = new Date(from.getTime() - length);
      const [series, previousSeries] = await Promise.all([repository.series(from, to, q.interval, q.tz), repository.series(previousFrom, from, q.interval, q.tz)]);
      const totals = totalsOf(series);
      const previous = totalsOf(previousSeries);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        interval: q.interval,
        timezone: q.tz,
        series: series.map((b) => ({ period: b.period, start: new Date(b.start).toISOString(), ...totalsOf([b]) })),
        totals,
        previous: { from: previousFrom.toISOString(), to: from.toISOString(), totals: previous },
        change: {
          orders: change(totals.orders, previous.orders),
          grossRevenue: change(totals.grossRevenue, previous.grossRevenue),
          netRevenue: change(totals.netRevenue, previous.netRevenue),
          averageOrderValue: change(totals.averageOrderValue, previous.averageOrderValue),
          newCustomers: change(totals.newCustomers, previous.newCustomers),
        },
      };
    },

    async topProducts(q: RangeQuery) {
      const { from, to } = resolveRange(q);
      return { from: from.toISOString(), to: to.toISOString(), items: await named(await repository.ranked('products', from, to, q.limit), 'product') };
    },

    async topCategories(q: RangeQuery) {
      const { from, to } = resolveRange(q);
      return { from: from.toISOString(), to: to.toISOString(), items: await named(await repository.ranked('categories', from, to, q.limit), 'category') };
    },

    async lowStock(q: { threshold: number; limit: number }) {
      return { threshold: q.threshold, items: await repository.lowStock(q.threshold, q.limit) };
    },
  };
}

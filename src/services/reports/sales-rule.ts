// Which orders count as sales in a day's report — the one rule, in one place (README.md here).
//
// A report counts status *changes* in the day, not orders placed in it, so every sale lands in
// exactly one day's report however long payment takes, and a built report never goes stale:
// - a change to `paid` is a **sale** (the order, its units and its total);
// - a change to `refunded` (refunded in full) of an order that had been paid is a **refund** of
//   its total;
// - a change to `cancelled` of an order that had been paid is a refund too — unless a full refund
//   already took the sale out (a paid checkout order is refunded, then cancelled); a cancel of an
//   unpaid order is nothing (no money moved);
// - pending, awaiting_payment, payment_failed, partially_refunded, shipped and delivered changes
//   count for nothing (a partial refund counts once the order is refunded in full).
// The analytics rollups (services/analytics/contribution.ts) share the sale and units rule, but count
// money out per refund record (partial refunds and returns of shipped/delivered orders too), so on a day
// with those the dashboard's refunds/net differ from the report's until the report counts refund records.
import type { OrderStatus } from '../../models/Order';
import type { StatusChangeRecord } from '../../repositories/order.repository';

export type Counted = 'sale' | 'refund';

type HistoryOf = { readonly statusHistory: readonly Pick<StatusChangeRecord, 'status' | 'at'>[] };
type Rule = (order: HistoryOf, at: Date) => Counted | null;

const wasPaidBefore = (order: HistoryOf, at: Date) => order.statusHistory.some((c) => c.status === SALE_STATUS && new Date(c.at) <= at);
const wasRefundedBefore = (order: HistoryOf, at: Date) => order.statusHistory.some((c) => c.status === 'refunded' && new Date(c.at) <= at);
const refundIfPaid: Rule = (order, at) => (wasPaidBefore(order, at) ? 'refund' : null);
const refundIfPaidAndNotRefunded: Rule = (order, at) => (wasPaidBefore(order, at) && !wasRefundedBefore(order, at) ? 'refund' : null);

/** The change that makes an order a sale; an account's first one makes it a new customer. */
export const SALE_STATUS: OrderStatus = 'paid';

const RULES: Readonly<Record<string, Rule>> = {
  [SALE_STATUS]: () => 'sale',
  refunded: refundIfPaid,
  cancelled: refundIfPaidAndNotRefunded,
};

/** The statuses whose changes can count: what the report asks orders for. */
export const COUNTED_STATUSES: readonly string[] = Object.keys(RULES);

/** What one status change of `order` counts as in a sales report, or null when it counts for nothing. */
export function countedAs(order: HistoryOf, change: Pick<StatusChangeRecord, 'status' | 'at'>): Counted | null {
  return Object.hasOwn(RULES, change.status) ? RULES[change.status](order, new Date(change.at)) : null;
}

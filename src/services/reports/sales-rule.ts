// Which orders count as sales in a day's report — the one rule, in one place (README.md here).
//
// A report counts status *changes* in the day, not orders placed in it, so every sale lands in
// exactly one day's report however long payment takes, and a built report never goes stale:
// - a change to `paid` is a **sale** (the order, its units and its total);
// - a change to `cancelled` of an order that had been paid is a **refund** of its total; a cancel
//   of an unpaid order is nothing (no money moved);
// - pending, shipped and delivered changes count for nothing (shipping is not selling).
// The same rule as the analytics rollups (services/analytics on its branch), so the dashboard and
// the report agree. The payments merge adds its statuses here, one line each:
//   awaiting_payment, payment_failed → nothing (leave them out); refunded → `refundIfPaid`.
import type { OrderStatus } from '../../models/Order';
import type { StatusChangeRecord } from '../../repositories/order.repository';

export type Counted = 'sale' | 'refund';

type HistoryOf = { readonly statusHistory: readonly Pick<StatusChangeRecord, 'status' | 'at'>[] };
type Rule = (order: HistoryOf, at: Date) => Counted | null;

const wasPaidBefore = (order: HistoryOf, at: Date) => order.statusHistory.some((c) => c.status === SALE_STATUS && new Date(c.at) <= at);
const refundIfPaid: Rule = (order, at) => (wasPaidBefore(order, at) ? 'refund' : null);

/** The change that makes an order a sale; an account's first one makes it a new customer. */
export const SALE_STATUS: OrderStatus = 'paid';

const RULES: Readonly<Record<string, Rule>> = {
  [SALE_STATUS]: () => 'sale',
  cancelled: refundIfPaid,
  // payments: refunded: refundIfPaid,
};

/** The statuses whose changes can count: what the report asks orders for. */
export const COUNTED_STATUSES: readonly string[] = Object.keys(RULES);

/** What one status change of `order` counts as in a sales report, or null when it counts for nothing. */
export function countedAs(order: HistoryOf, change: Pick<StatusChangeRecord, 'status' | 'at'>): Counted | null {
  return Object.hasOwn(RULES, change.status) ? RULES[change.status](order, new Date(change.at)) : null;
}

// What a day's sales report counts — the analytics rollups' rule (services/analytics/contribution.ts),
// not a copy of it, applied to one day (README.md here). So the report's sales, refunds and net for a
// day are what GET /analytics/sales shows for the same day in the same zone.
//
// A report counts what *happened* in the day, not orders placed in it, so every sale and refund lands
// in exactly one day's report however long payment takes, and a built report never goes stale:
// - the change to `paid` is a **sale** (the order, its units and its total);
// - every refund record (`payment.refunds[]`) of an order paid before it is a **refund** of its amount,
//   at its `at`: partial, full, or of a shipped/delivered order (a return) alike;
// - the change to `refunded`, or to `cancelled` after paid (unless a full refund already took the sale
//   out), is a **refund** that takes the order's units out, and in money only its `residualOf`: nothing
//   for an order paid through the provider (its refund records carry the money), the total for a staff
//   order paid out of band and cancelled;
// - other changes (pending, shipped, delivered, an unpaid cancel…) count for nothing.
import { changedAt, CONTRIBUTIONS, countedRefunds, factsOf, residualOf, SALE_STATUS, takesSaleOut, type ContributionOrder } from '../analytics/contribution';

export { SALE_STATUS };

export type Counted = 'sale' | 'refund';

/** One counted movement of an order: a sale, a refund record, or the change that takes a sale out. */
export interface CountedMovement {
  readonly counted: Counted;
  readonly at: Date;
  /** The order's units for a sale or the change that takes it out; 0 for a refund record (it names no lines). */
  readonly units: number;
  /** Signed minor units: a sale is positive, a refund negative, so the amounts sum to the net. */
  readonly amountMinor: number;
  /** The provider's refund id of a refund record; null otherwise. */
  readonly refundId: string | null;
  /** Whether the movement moves the order's lines (a sale in, its full refund or cancel out). */
  readonly movesLines: boolean;
}

/** The statuses whose changes can count: what the report asks orders for (besides their refund records). */
export const COUNTED_STATUSES: readonly string[] = Object.keys(CONTRIBUTIONS);

/** What `order` counts in the window [from, to), in time order (the rollups' facts, within the day). */
export function countedIn(order: ContributionOrder, from: Date, to: Date): CountedMovement[] {
  const inDay = (at: Date) => at >= from && at < to;
  const units = order.items.reduce((sum, item) => sum + item.quantity, 0);
  const movements: CountedMovement[] = [];
  for (const status of factsOf(order)) {
    const at = changedAt(order, status);
    if (!at || !inDay(at)) continue;
    if (status === SALE_STATUS) movements.push({ counted: 'sale', at, units, amountMinor: order.totalMinor, refundId: null, movesLines: true });
    // 0 - residual: a checkout order has nothing left, and −0 would print as "-0.00".
    else if (takesSaleOut(order, status, at)) movements.push({ counted: 'refund', at, units, amountMinor: 0 - residualOf(order), refundId: null, movesLines: true });
  }
  for (const refund of countedRefunds(order)) {
    const at = new Date(refund.at);
    if (inDay(at)) movements.push({ counted: 'refund', at, units: 0, amountMinor: 0 - refund.amountMinor, refundId: refund.providerRefundId, movesLines: false });
  }
  return movements.sort((a, b) => a.at.getTime() - b.at.getTime());
}

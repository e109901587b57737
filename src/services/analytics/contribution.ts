// What an order contributes to the hourly sales rollups, as pure functions shared by the worker's
// incremental consumer and the rebuild: both derive every figure from the order document (its lines,
// status history and refund records), so replaying events and recomputing from orders give identical
// rollups.
//
// Two kinds of fact, each mapping to at most one delta in the UTC hour it happened:
// - a status change of one order (`orderId` + status):
//   - paid: +1 order, +units, +gross, +net, +1 new customer when it is the account's first paid
//     order, +units/+revenue per product and category — in the hour of the paid transition;
//   - refunded (a paid checkout order refunded in full): −units/−revenue per product and category —
//     in the hour of the refunded transition;
//   - cancelled after paid, unless a full refund already took the sale out (a paid checkout order is
//     refunded before it is cancelled): the same, in the hour of the cancellation. A cancel of an
//     unpaid order (a checkout whose reservation expired, a declined one) contributes nothing.
//   The money of refunded/cancelled (its `residual`): nothing for an order paid through the provider
//   (its refund records carry it), the total for a staff order paid out of band and cancelled.
// - a refund record of a paid order (`payment.refunds[]`, by `providerRefundId`): +refunds, −net by its
//   amount in the hour of its `at` — partial or full, before or after shipping (a return) alike.
import type { OrderStatus } from '../../models/Order';
import { averageOrderValueMinor, ROLLUP_SUMS, type SalesRollupDoc } from '../../models/SalesRollup';
import type { OrderRecord, PaymentRecord } from '../../repositories/order.repository';

export interface OrderFact {
  readonly orderId: string;
  /** The status change the event reports; null when it reports none (a partial refund). */
  readonly status: string | null;
  /** Whether the event reports a refund: the consumer then counts the order's refund records not counted yet. */
  readonly refunds: boolean;
}

/** Event type → the order fact it reports (the payload is already validated against its schema). */
export const ANALYTICS_EVENTS: Readonly<Record<string, (payload: Record<string, unknown>) => OrderFact | null>> = {
  'order-status-changed': (p) => ({ orderId: String(p.orderId), status: String(p.status), refunds: false }),
  'order-cancelled': (p) => ({ orderId: String(p.orderId), status: 'cancelled', refunds: false }),
  // Checkout orders: paid by the provider's event; one refunded event per refund (the status fact when in full).
  'order-paid': (p) => ({ orderId: String(p.orderId), status: 'paid', refunds: false }),
  'order-refunded': (p) => ({ orderId: String(p.orderId), status: p.fullyRefunded === true ? 'refunded' : null, refunds: true }),
  // The record itself: whichever of the two is folded first counts the refund, the other finds it counted.
  'order-refund-recorded': (p) => ({ orderId: String(p.orderId), status: null, refunds: true }),
};

export function factOfEvent(type: string, payload: Record<string, unknown>): OrderFact | null {
  return Object.hasOwn(ANALYTICS_EVENTS, type) ? ANALYTICS_EVENTS[type](payload) : null;
}

export interface LineAmount {
  readonly units: number;
  readonly revenueMinor: number;
}

/** A change to one hourly rollup document. */
export interface RollupDelta {
  readonly hour: Date;
  readonly orders: number;
  readonly units: number;
  readonly grossMinor: number;
  readonly refundsMinor: number;
  readonly netMinor: number;
  readonly newCustomers: number;
  /** Keyed by product id. */
  readonly products: Readonly<Record<string, LineAmount>>;
  /** Keyed by category key (see categoryKey). */
  readonly categories: Readonly<Record<string, LineAmount>>;
}

export type ContributionOrder = Pick<OrderRecord, '_id' | 'account' | 'items' | 'totalMinor' | 'statusHistory'> & {
  readonly payment?: { readonly refunds: readonly RefundRecord[] } | undefined;
};

export type RefundRecord = Pick<PaymentRecord['refunds'][number], 'providerRefundId' | 'amountMinor' | 'at'>;

export interface ContributionContext {
  /** The product's category (looked up when the delta is computed; unknown products count as "uncategorized"). */
  readonly categoryOf: (productId: string) => string;
  /** Whether this order is the first paid order of its account. */
  readonly isFirstPaidOrder: boolean;
}

type Rule = (order: ContributionOrder, at: Date, ctx: ContributionContext) => Omit<RollupDelta, 'hour'> | null;

/** The change that makes an order a sale (an account's first one makes it a new customer). */
export const SALE_STATUS: OrderStatus = 'paid';

const reachedBefore = (order: Pick<ContributionOrder, 'statusHistory'>, status: string, at: Date) => order.statusHistory.some((c) => c.status === status && new Date(c.at) <= at);
const wasPaidBefore = (order: Pick<ContributionOrder, 'statusHistory'>, at: Date) => reachedBefore(order, SALE_STATUS, at);

/**
 * Whether a change to `status` (refunded, cancelled) at `at` takes the order's sale out: its units,
 * per-product figures and residual money. Shared with the daily report (services/reports).
 */
export function takesSaleOut(order: Pick<ContributionOrder, 'statusHistory'>, status: string, at: Date): boolean {
  if (status === 'refunded') return reachedBefore(order, SALE_STATUS, at);
  // A staff order paid out of band leaves the figures at its cancel; a refunded one already has.
  if (status === 'cancelled') return reachedBefore(order, SALE_STATUS, at) && !reachedBefore(order, 'refunded', at);
  return false;
}

/** Status → what its change contributes. */
export const CONTRIBUTIONS: Readonly<Record<string, Rule>> = {
  [SALE_STATUS]: (order, _at, ctx) => sale(order, ctx, 1),
  refunded: (order, at, ctx) => (takesSaleOut(order, 'refunded', at) ? sale(order, ctx, -1) : null),
  cancelled: (order, at, ctx) => (takesSaleOut(order, 'cancelled', at) ? sale(order, ctx, -1) : null),
};

/** The refund records that count: those of an order paid before the refund (a refund of money that arrived after a cancel never counted as a sale). */
export function countedRefunds(order: ContributionOrder): RefundRecord[] {
  return (order.payment?.refunds ?? []).filter((r) => wasPaidBefore(order, new Date(r.at)));
}

/**
 * What a full refund or a cancel after paid still takes out in money. An order paid through the
 * provider (it has a payment) moves money out only through its refund records, each in its own hour:
 * nothing here. A staff order paid out of band has no records: its total. This must not depend on
 * which records exist when the change is folded — the provider's refund event can be folded before
 * the record is written — or the incremental rollups would differ from a rebuild.
 */
export function residualOf(order: ContributionOrder): number {
  return order.payment ? 0 : order.totalMinor;
}

/** The ledger key of a refund record: one per refund, so however often its event comes it counts once. */
export function refundFactKey(orderId: string, providerRefundId: string): string {
  return `order-refund:${orderId}:${providerRefundId}`;
}

/** The delta of one refund record: +refunds, −net by its amount, in the hour of its `at`. */
export function refundContribution(refund: RefundRecord): RollupDelta {
  const at = new Date(refund.at);
  return { hour: hourOf(at), orders: 0, units: 0, grossMinor: 0, refundsMinor: refund.amountMinor, netMinor: -refund.amountMinor, newCustomers: 0, products: {}, categories: {} };
}

function sale(order: ContributionOrder, ctx: ContributionContext, sign: 1 | -1): Omit<RollupDelta, 'hour'> {
  const products: Record<string, LineAmount> = {};
  const categories: Record<string, LineAmount> = {};
  let units = 0;
  const residual = sign === 1 ? 0 : residualOf(order);
  for (const item of order.items) {
    units += item.quantity;
    const productId = String(item.product);
    add(products, productId, sign * item.quantity, sign * item.lineTotalMinor);
    add(categories, categoryKey(ctx.categoryOf(productId)), sign * item.quantity, sign * item.lineTotalMinor);
  }
  // 0 - residual, not -residual: a checkout order has nothing left, and −0 is not 0 to a deep equal (nor as a BSON double).
  return sign === 1
    ? { orders: 1, units, grossMinor: order.totalMinor, refundsMinor: 0, netMinor: order.totalMinor, newCustomers: ctx.isFirstPaidOrder ? 1 : 0, products, categories }
    : { orders: 0, units: 0, grossMinor: 0, refundsMinor: residual, netMinor: 0 - residual, newCustomers: 0, products, categories };
}

function add(map: Record<string, LineAmount>, key: string, units: number, revenueMinor: number): void {
  const before = map[key] ?? { units: 0, revenueMinor: 0 };
  map[key] = { units: before.units + units, revenueMinor: before.revenueMinor + revenueMinor };
}

/** The start of the UTC hour `at` falls in. */
export function hourOf(at: Date): Date {
  const hour = new Date(at);
  hour.setUTCMinutes(0, 0, 0);
  return hour;
}

/** When the order reached `status` (its first change to it), or null. */
export function changedAt(order: Pick<ContributionOrder, 'statusHistory'>, status: string): Date | null {
  const change = order.statusHistory.find((c) => c.status === status);
  return change ? new Date(change.at) : null;
}

/** The delta of one fact, or null when the fact contributes nothing (shipped, unpaid cancel…). */
export function contributionOf(order: ContributionOrder, status: string, ctx: ContributionContext): RollupDelta | null {
  const rule = Object.hasOwn(CONTRIBUTIONS, status) ? CONTRIBUTIONS[status] : undefined;
  const at = changedAt(order, status);
  if (!rule || !at) return null;
  const delta = rule(order, at, ctx);
  return delta && { hour: hourOf(at), ...delta };
}

/** Every status of the order that has a contribution rule: the facts a rebuild replays. */
export function factsOf(order: Pick<ContributionOrder, 'statusHistory'>): string[] {
  return [...new Set(order.statusHistory.map((c) => c.status))].filter((s) => Object.hasOwn(CONTRIBUTIONS, s));
}

/** Map keys may not contain '.' or start with '$': a category name is stored URI-encoded. */
export function categoryKey(category: string): string {
  return encodeURIComponent(category).replaceAll('.', '%2E');
}

export function categoryName(key: string): string {
  return decodeURIComponent(key);
}

/** The stored hourly document (without _id): the model's shape (`averageOrderValueMinor` = gross / orders, rounded; 0 without orders). */
export type SalesRollup = SalesRollupDoc;

export function emptyRollup(hour: Date): SalesRollup {
  return { hour, orders: 0, units: 0, grossMinor: 0, refundsMinor: 0, netMinor: 0, averageOrderValueMinor: 0, newCustomers: 0, products: {}, categories: {} };
}

/** Folds a delta into a document in memory (the rebuild); the worker does the same with $inc. */
export function applyDelta(doc: SalesRollup, delta: RollupDelta): SalesRollup {
  for (const field of ROLLUP_SUMS) doc[field] += delta[field];
  for (const [id, amount] of Object.entries(delta.products)) add(doc.products, id, amount.units, amount.revenueMinor);
  for (const [key, amount] of Object.entries(delta.categories)) add(doc.categories, key, amount.units, amount.revenueMinor);
  doc.averageOrderValueMinor = averageOrderValueMinor(doc.grossMinor, doc.orders);
  return doc;
}

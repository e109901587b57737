// Order rules: placement, who may see and change what, the status lifecycle with
// optimistic locking, restocking on cancel, the stale-order sweep and the sales report.
import { Types, type ClientSession } from 'mongoose';
import { CANCELLABLE_STATUSES, type OrderStatus } from '../../models/Order';
import type { OrderRecord, OrderRepository, ShipmentRecord, StatusChangeRecord } from '../../repositories/order.repository';
import type { ProductRepository } from '../../repositories/product.repository';
import { ConflictError, NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { canTransition, sourcesOf, TRANSITIONS } from './lifecycle';
import type { OrderEvents } from './events';
import type { Outbox } from '../outbox/outbox.service';
import type { OrderPlacement, PlaceOrderInput } from './placement';
import { ORDER_SORT, planOrderList, type OrderActor, type OrderListQuery } from './query';
import { fetchPage, type PageMeta } from '../listing/listing';
import { toOrderView, type OrderView } from './view';
import { fromMinorUnits } from '../query-engine';
import type { TransactionRunner } from '../transactions';

export interface OrderServiceDeps {
  readonly orders: OrderRepository;
  readonly products: ProductRepository;
  readonly placement: OrderPlacement;
  readonly transactions: TransactionRunner;
  /** Builds the order's domain events; `outbox` records them with the state change. */
  readonly events: OrderEvents;
  readonly outbox: Outbox;
  /**
   * Settles money before an order with a provider payment is cancelled: refunds a paid order (a
   * failure aborts the cancel), cancels an unpaid intent (best effort). Late-bound: payments need orders.
   */
  readonly settleBeforeCancel?: (order: OrderRecord) => Promise<void>;
  /** Drops cached product answers after stock changed (ProductService.invalidate). */
  readonly invalidateProducts: (ids: readonly string[]) => Promise<void>;
  readonly cursorSecret: string;
  readonly now?: () => Date;
}

export interface OrderStats {
  from: string;
  to: string;
  totals: { orders: number; revenue: number };
  perDay: { date: string; orders: number; revenue: number }[];
  perStatus: { status: OrderStatus; orders: number; total: number }[];
  topProducts: { productId: string; name: string; sku: string; quantity: number; revenue: number }[];
}

const UNPAID_STATUSES: readonly OrderStatus[] = ['awaiting_payment', 'payment_failed'];
/** Statuses only the payment provider's events set. */
const PROVIDER_STATUSES: readonly OrderStatus[] = ['awaiting_payment', 'payment_failed', 'partially_refunded', 'refunded'];
const SWEEP_BATCH = 200;

const notFound = () => new NotFoundError('Order not found', 'ORDER_NOT_FOUND');

function versionConflict(expected: number, current: number): ConflictError {
  return new ConflictError('The order was changed by someone else; reload it and retry', 'VERSION_CONFLICT', {
    details: [{ path: 'version', message: `expected version ${expected}, current is ${current}`, currentVersion: current }],
  });
}

function invalidTransition(from: OrderStatus, to: OrderStatus): ConflictError {
  return new ConflictError(`An order that is ${from} cannot become ${to}`, 'INVALID_TRANSITION', {
    details: [{ path: 'status', message: `allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none'}`, from, to, allowed: TRANSITIONS[from] }],
  });
}

export function createOrderService(deps: OrderServiceDeps) {
  const { orders, products, placement, transactions, events, outbox } = deps;
  const now = deps.now ?? (() => new Date());

  /** Owner or staff; anyone else gets the same 404 as for a missing order (existence is not revealed). */
  async function findVisible(actor: OrderActor, id: string): Promise<OrderRecord> {
    const order = await orders.findById(id);
    if (!order || (!actor.isStaff && order.account.toString() !== actor.id)) throw notFound();
    return order;
  }

  async function afterStockChange(order: OrderRecord): Promise<void> {
    await deps.invalidateProducts([...new Set(order.items.map((i) => i.product.toString()))]);
  }

  /** Restocks inside the caller's transaction, or one line at a time (logged if it fails) without one. */
  async function restock(order: OrderRecord, session: ClientSession | null): Promise<void> {
    for (const item of order.items) {
      try {
        await products.restock({ productId: item.product.toString(), variantId: item.variant?.toString() ?? null, quantity: item.quantity }, session);
      } catch (err) {
        if (session) throw err;
        logger.error('restock failed for a cancelled order', { orderId: order._id.toString(), productId: item.product.toString(), variantId: item.variant?.toString(), quantity: item.quantity, error: (err as Error).message });
      }
    }
  }

  /** The conditional write decides the single winner; only the winner restocks. */
  async function cancelRecord(order: OrderRecord, expectedVersion: number, change: StatusChangeRecord, from: readonly OrderStatus[] = CANCELLABLE_STATUSES): Promise<OrderRecord | null> {
    const t = { from, to: 'cancelled' as const, expectedVersion, change };
    const id = order._id.toString();
    const to = await events.recipientOf(order.account.toString());
    if (await transactions.supportsTransactions()) {
      const updated = await transactions.run(async (session) => {
        const won = await orders.transition(id, t, session);
        if (won) {
          await restock(won, session);
          await outbox.record(session, [events.statusChanged(won, to)]);
        }
        return won;
      });
      if (updated) outbox.committed();
      return updated;
    }
    const updated = await orders.transition(id, t);
    if (updated) {
      await restock(updated, null);
      await recordWithoutTransaction(updated, to);
    }
    return updated;
  }

  /** Why a conditional write matched nothing, as the error the client should see. */
  async function explainMiss(id: string, expectedVersion: number, to: OrderStatus): Promise<never> {
    const current = await orders.findById(id);
    if (!current) throw notFound();
    if (current.version !== expectedVersion) throw versionConflict(expectedVersion, current.version);
    throw invalidTransition(current.status, to);
  }

  function change(to: OrderStatus, by: string | null, reason?: string): StatusChangeRecord {
    return { status: to, at: now(), by: by ? new Types.ObjectId(by) : null, ...(reason && { reason }) };
  }

  /**
   * Money first: a refund that fails leaves the order as it was. Settling records payment facts (and
   * the provider's webhook may already have cancelled an unpaid order), so the order is read again.
   */
  async function settle(order: OrderRecord): Promise<OrderRecord> {
    if (!order.payment || !deps.settleBeforeCancel) return order;
    await deps.settleBeforeCancel(order);
    return (await orders.findById(order._id.toString())) ?? order;
  }

  async function cancel(actor: OrderActor, id: string, expectedVersion: number, reason?: string): Promise<OrderView> {
    const read = await findVisible(actor, id);
    if (read.version !== expectedVersion) throw versionConflict(expectedVersion, read.version);
    if (!canTransition(read.status, 'cancelled')) throw invalidTransition(read.status, 'cancelled');
    const order = await settle(read);
    if (order.status === 'cancelled') return toOrderView(order);
    const updated = await cancelRecord(order, order.version, change('cancelled', actor.id, reason));
    if (!updated) return explainMiss(id, order.version, 'cancelled');
    await afterStockChange(updated);
    return toOrderView(updated);
  }

  /**
   * Standalone server (no transactions): the event is written right after the state change, so a
   * crash between the two loses it. Logged loudly; see services/outbox/README.md.
   */
  async function recordWithoutTransaction(order: OrderRecord, to: string | null): Promise<void> {
    try {
      await outbox.record(null, [events.statusChanged(order, to)]);
      outbox.committed();
    } catch (err) {
      logger.error('order event not recorded (standalone server, no transaction)', { orderId: order._id.toString(), status: order.status, error: (err as Error).message });
    }
  }

  return {
    /** Retries are made safe by the route's declared idempotency, not here. */
    async place(actor: OrderActor, input: PlaceOrderInput): Promise<OrderView> {
      const record = await placement.place(actor.id, input);
      outbox.committed();
      const view = toOrderView(record);
      logger.info('order placed', { orderId: view.id, total: view.total, currency: view.currency, lines: view.items.length });
      await afterStockChange(record);
      return view;
    },

    /**
     * For the abandoned-hold sweep: on a standalone server a placement killed between saving the
     * order and recording its event left the order without one; this records it (the event id makes
     * a repeat a no-op). With transactions the event committed with the order: nothing to do.
     */
    async recordPlacedIfMissing(orderId: string): Promise<void> {
      if (await transactions.supportsTransactions()) return;
      const order = await orders.findById(orderId);
      if (!order) return;
      await outbox.record(null, [events.placed(order, await events.recipientOf(order.account.toString()))]);
      outbox.committed();
    },

    async get(actor: OrderActor, id: string): Promise<OrderView> {
      return toOrderView(await findVisible(actor, id));
    },

    async list(actor: OrderActor, query: OrderListQuery): Promise<{ data: OrderView[]; meta: PageMeta }> {
      const plan = planOrderList(query, actor, deps.cursorSecret);
      const { rows, meta } = await fetchPage(plan, ORDER_SORT, deps.cursorSecret, {
        fetch: (skip, limit) => orders.findPage({ filter: plan.filter, sort: plan.sort as Record<string, 1 | -1>, skip, limit }),
        count: () => orders.count(plan.filter),
      });
      return { data: rows.map(toOrderView), meta };
    },

    cancel,

    /**
     * The system cancels an order that was never paid (its payment was cancelled at the provider, or
     * checkout's reservation expired) and restocks it. `providerCancelled`: the intent is already
     * cancelled, so it is not cancelled again. Null when the order had moved on (e.g. it was paid).
     */
    async cancelUnpaid(id: string, reason: string, options: { providerCancelled?: boolean } = {}): Promise<OrderRecord | null> {
      const read = await orders.findById(id);
      if (!read || !UNPAID_STATUSES.includes(read.status)) return null;
      const order = options.providerCancelled ? read : await settle(read);
      if (order.status === 'cancelled') return order;
      if (!UNPAID_STATUSES.includes(order.status)) return null;
      const updated = await cancelRecord(order, order.version, change('cancelled', null, reason), UNPAID_STATUSES);
      if (!updated) return null;
      await afterStockChange(updated);
      return updated;
    },

    /**
     * Staff only (route). `cancelled` goes through cancel so stock (and money) is always given back;
     * `paid` is for staff orders paid out of band (provider payments are marked paid by webhooks);
     * `shipped` records the carrier and tracking number and emails them.
     */
    async changeStatus(actor: OrderActor, id: string, to: OrderStatus, expectedVersion: number, reason?: string, shipment?: Omit<ShipmentRecord, 'shippedAt'>): Promise<OrderView> {
      if (to === 'cancelled') return cancel(actor, id, expectedVersion, reason);
      if (PROVIDER_STATUSES.includes(to)) {
        throw new ConflictError(`${to} is set by the payment provider, not by hand (refunds: POST /orders/:id/refunds)`, 'INVALID_TRANSITION', { details: [{ path: 'status', message: 'set by the payment provider', to }] });
      }
      const order = await findVisible(actor, id);
      if (order.version !== expectedVersion) throw versionConflict(expectedVersion, order.version);
      const from = to === 'paid' ? (['pending'] as OrderStatus[]) : sourcesOf(to);
      if (!from.includes(order.status)) throw invalidTransition(order.status, to);
      const recorded = to === 'shipped' && shipment ? { ...shipment, shippedAt: now() } : undefined;
      const recipient = await events.recipientOf(order.account.toString());
      const updated = await outbox.withEvents(async ({ session, emit }) => {
        const won = await orders.transition(id, { from, to, expectedVersion, change: change(to, actor.id, reason), shipment: recorded }, session);
        // A shipment with its carrier and tracking number gets the shipping email; anything else the status email.
        if (won) emit(to === 'shipped' && won.shipment ? events.shipped(won, recipient) : events.statusChanged(won, recipient));
        return won;
      });
      if (!updated) return explainMiss(id, expectedVersion, to);
      logger.info('order status changed', { orderId: id, from: order.status, to });
      return toOrderView(updated);
    },

    /**
     * Cancels (and restocks) orders still pending that were created before `olderThan`. Meant for a
     * repeatable job: each run handles up to `limit` orders; an order changed meanwhile is skipped.
     */
    async cancelStalePending(olderThan: Date, limit = SWEEP_BATCH): Promise<{ cancelled: string[] }> {
      const cancelled: string[] = [];
      for (const order of await orders.findStalePending(olderThan, limit)) {
        const updated = await cancelRecord(order, order.version, change('cancelled', null, 'not paid in time'));
        if (!updated) continue;
        cancelled.push(updated._id.toString());
        await afterStockChange(updated);
      }
      if (cancelled.length) logger.info('stale pending orders cancelled', { count: cancelled.length, olderThan: olderThan.toISOString() });
      return { cancelled };
    },

    async stats(from: Date, to: Date, topLimit = 10): Promise<OrderStats> {
      const row = await orders.stats(from, to, topLimit);
      const totals = row.totals[0];
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        totals: { orders: totals?.orders ?? 0, revenue: fromMinorUnits(totals?.revenueMinor ?? 0) },
        perDay: row.perDay.map((d) => ({ date: d._id, orders: d.orders, revenue: fromMinorUnits(d.revenueMinor) })),
        perStatus: row.perStatus.map((s) => ({ status: s._id, orders: s.orders, total: fromMinorUnits(s.totalMinor) })),
        topProducts: row.topProducts.map((p) => ({ productId: p._id.toString(), name: p.name, sku: p.sku, quantity: p.quantity, revenue: fromMinorUnits(p.revenueMinor) })),
      };
    },
  };
}

export type OrderService = ReturnType<typeof createOrderService>;

// Order rules: placement, who may see and change what, the status lifecycle with optimistic
// locking, cancels and their restock (release.ts), the sweeps (stale pending orders, expired
// checkout reservations) and the sales report.
import { Types } from 'mongoose';
import type { OrderStatus } from '../../models/Order';
import type { OrderRecord, OrderRepository, ShipmentRecord, StatusChangeRecord } from '../../repositories/order.repository';
import { ConflictError, NotFoundError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { canTransition, sourcesOf, TRANSITIONS } from './lifecycle';
import type { OrderEvents } from './events';
import type { Outbox } from '../outbox/outbox.service';
import type { OrderPlacement, PlaceOrderInput, PlacementOptions } from './placement';
import { createStockRelease } from './release';
import { ORDER_SORT, planOrderList, type OrderActor, type OrderListQuery } from './query';
import { fetchPage, type PageMeta } from '../listing/listing';
import { toOrderView, type OrderView } from './view';
import { fromMinorUnits } from '../query-engine';
import type { StockWriter } from '../stock/stock.service';
import type { TransactionRunner } from '../transactions';

export interface OrderServiceDeps {
  readonly orders: OrderRepository;
  /** Restocks on cancel go through the stock-write path (back-in-stock alerts are detected there). */
  readonly stock: Pick<StockWriter, 'restock'>;
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
  const { orders, placement, transactions, events, outbox } = deps;
  const now = deps.now ?? (() => new Date());
  // Cancels and declines give stock back through the stock-write path (deps.stock), in release.ts.
  const release = createStockRelease({ ...deps, now });
  const { afterStockChange, cancelRecord, settle, cancelUnpaid } = release;

  /** Owner or staff; anyone else gets the same 404 as for a missing order (existence is not revealed). */
  async function findVisible(actor: OrderActor, id: string): Promise<OrderRecord> {
    const order = await orders.findById(id);
    if (!order || (!actor.isStaff && order.account.toString() !== actor.id)) throw notFound();
    return order;
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

  async function cancel(actor: OrderActor, id: string, expectedVersion: number, reason?: string): Promise<OrderView> {
    const read = await findVisible(actor, id);
    if (read.version !== expectedVersion) throw versionConflict(expectedVersion, read.version);
    if (!canTransition(read.status, 'cancelled')) throw invalidTransition(read.status, 'cancelled');
    const order = await settle(read);
    if (order.status === 'cancelled') return toOrderView(order);
    const updated = await cancelRecord(order, order.version, actor.id, reason);
    if (!updated) return explainMiss(id, order.version, 'cancelled');
    await afterStockChange(updated);
    return toOrderView(updated);
  }

  return {
    /**
     * Retries are made safe by the route's declared idempotency; the key is also stored on the order,
     * so a retry whose first attempt died after saving it gets that order, never a second one.
     */
    async place(actor: OrderActor, input: PlaceOrderInput, options: PlacementOptions = {}): Promise<OrderView> {
      const record = await placement.place(actor.id, input, options);
      outbox.committed();
      const view = toOrderView(record);
      logger.info('order placed', { orderId: view.id, total: view.total, currency: view.currency, lines: view.items.length });
      await afterStockChange(record);
      return view;
    },

    /**
     * Checkout's order: reserved and saved exactly as `place`, but `awaiting_payment` (the payment
     * provider's events move it on). No order-placed email: its confirmation is the payment's.
     */
    async placeForCheckout(accountId: string, input: PlaceOrderInput, options: Pick<PlacementOptions, 'idempotencyKey'> = {}): Promise<OrderRecord> {
      const record = await placement.place(accountId, input, { ...options, status: 'awaiting_payment' });
      logger.info('checkout order placed', { orderId: record._id.toString(), totalMinor: record.totalMinor, currency: record.currency, lines: record.items.length });
      await afterStockChange(record);
      return record;
    },

    /** The checkout order an attempt with this Idempotency-Key already placed (within the idempotency window), if any. */
    findCheckoutOrder: (accountId: string, idempotencyKey: string): Promise<OrderRecord | null> => placement.findPlaced(accountId, idempotencyKey, 'awaiting_payment'),

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

    cancelUnpaid,

    /** A declined checkout payment (the payment service calls this for the provider's event). */
    failPayment: release.failPayment,

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
        const updated = await cancelRecord(order, order.version, null, 'not paid in time');
        if (!updated) continue;
        cancelled.push(updated._id.toString());
        await afterStockChange(updated);
      }
      if (cancelled.length) logger.info('stale pending orders cancelled', { count: cancelled.length, olderThan: olderThan.toISOString() });
      return { cancelled };
    },

    /**
     * Reservation expiry: checkout orders still awaiting payment that were created before `olderThan`
     * are cancelled through `cancelUnpaid` — the stock released once (the conditional write decides),
     * then the payment cancelled at the provider. An order paid meanwhile is left alone; a success
     * arriving later is refunded by the webhook. (A declined order gave its stock back already.)
     */
    async cancelExpiredReservations(olderThan: Date, limit = SWEEP_BATCH): Promise<{ cancelled: string[] }> {
      const cancelled: string[] = [];
      for (const order of await orders.findUnpaidBefore(olderThan, limit)) {
        const id = order._id.toString();
        try {
          const updated = await cancelUnpaid(id, 'reservation expired');
          if (updated?.status === 'cancelled') cancelled.push(id);
        } catch (err) {
          // One order's trouble (the provider down) must not hold back the others; the next run retries it.
          logger.warn('expired reservation not cancelled; retried on the next run', { orderId: id, error: (err as Error).message });
        }
      }
      if (cancelled.length) logger.info('expired checkout reservations cancelled', { count: cancelled.length, olderThan: olderThan.toISOString() });
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

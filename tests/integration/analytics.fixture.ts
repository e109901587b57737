// Orders straight through the model with chosen status-change times, for the analytics tests.
import { Types } from 'mongoose';
import { CANCELLABLE_STATUSES, type OrderStatus, type PaymentStatus } from '../../src/models/Order';
import type { OrderRecord } from '../../src/repositories/order.repository';
import { createOrderEvents } from '../../src/services/orders/events';
import { canTransition } from '../../src/services/orders/lifecycle';
import type { PaymentEvent } from '../../src/services/payments/provider';
import { decide } from '../../src/services/payments/reconcile';
import { Order } from '../support/models';

const ORDER_EVENTS = createOrderEvents(async () => null);

export interface FixtureLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
}

export interface FixtureChange {
  readonly status: 'paid' | 'shipped' | 'delivered' | 'cancelled';
  readonly at: Date;
}

/** What every fixture order has: a new id, its lines and totals, a shipping address, placed at `placedAt`. */
function orderBasics(account: Types.ObjectId, lines: readonly FixtureLine[], placedAt: Date) {
  const items = lines.map((l, i) => ({ product: new Types.ObjectId(l.productId), name: `Line ${i}`, sku: `SKU-${i}`, unitPriceMinor: l.unitPriceMinor, quantity: l.quantity, lineTotalMinor: l.unitPriceMinor * l.quantity }));
  const total = items.reduce((n, i) => n + i.lineTotalMinor, 0);
  const shippingAddress = { fullName: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' };
  return { _id: new Types.ObjectId(), account, items, subtotalMinor: total, totalMinor: total, currency: 'USD', shippingAddress, createdAt: placedAt };
}

/** Inserts a placed order (pending at `placedAt`) followed by `changes`, like the lifecycle leaves it. */
export async function insertOrder(account: Types.ObjectId, lines: readonly FixtureLine[], placedAt: Date, changes: readonly FixtureChange[] = []): Promise<string> {
  const history = [{ status: 'pending', at: placedAt, by: null }, ...changes.map((c) => ({ status: c.status, at: c.at, by: null }))];
  const basics = orderBasics(account, lines, placedAt);
  await Order.collection.insertOne({ ...basics, status: history.at(-1)!.status, statusHistory: history, version: history.length, updatedAt: history.at(-1)!.at });
  return basics._id.toHexString();
}

/** The outbox events the order service records for these changes (same ids and payloads). */
export function eventsFor(orderId: string, changes: readonly FixtureChange[]) {
  return changes.map((c) =>
    c.status === 'cancelled'
      ? { id: `order-cancelled:${orderId}`, type: 'order-cancelled', payload: { to: null, orderId, status: 'cancelled' } }
      : { id: `order-status-changed:${orderId}:${c.status}`, type: 'order-status-changed', payload: { to: null, orderId, status: c.status } },
  );
}

/** One step of a checkout order's life, replayed through the app's own decisions (see insertCheckoutOrder). */
export type CheckoutStep =
  | { readonly kind: 'pay' | 'ship' | 'deliver' | 'cancel'; readonly at: Date }
  /** A staff refund of `amountMinor` (capped at what is left; nothing once all is refunded, as the API refuses it). */
  | { readonly kind: 'refund'; readonly at: Date; readonly amountMinor: number };

type Analyzed = { id: string; type: string; payload: Record<string, unknown> };

/**
 * Inserts a checkout order (awaiting payment at `placedAt`, paid through the provider) after `steps`,
 * deciding each provider fact with the payment layer's pure `decide` and the order state machine, and
 * returns the outbox events the app records for them, built by the order service's own builders
 * (ids, payloads, `fullyRefunded`). A cancel refunds what is left first (`settleBeforeCancel`).
 */
export async function insertCheckoutOrder(account: Types.ObjectId, lines: readonly FixtureLine[], placedAt: Date, steps: readonly CheckoutStep[]): Promise<{ id: string; events: Analyzed[] }> {
  const basics = orderBasics(account, lines, placedAt);
  const { _id, totalMinor: total } = basics;
  const order = {
    ...basics,
    status: 'awaiting_payment' as OrderStatus,
    statusHistory: [{ status: 'awaiting_payment' as OrderStatus, at: placedAt, by: null as null }],
    payment: { provider: 'simulated', providerPaymentId: `pi_fixture_${_id.toHexString()}`, amountMinor: total, refundedMinor: 0, status: 'requires_payment' as PaymentStatus, refunds: [] as unknown[] },
    version: 1,
    updatedAt: placedAt,
  };
  // A snapshot (ObjectIds kept): the events are built from the order as each step left it.
  const snapshot = () => ({ ...order, statusHistory: [...order.statusHistory], payment: { ...order.payment, refunds: [...order.payment.refunds] } });
  const record = () => snapshot() as unknown as OrderRecord;
  const events: Analyzed[] = [];
  const move = (to: OrderStatus, at: Date) => {
    order.status = to;
    order.statusHistory.push({ status: to, at, by: null });
  };
  const touch = (at: Date) => {
    order.version += 1;
    order.updatedAt = at;
  };
  const providerEvent = (type: string, at: Date, amountRefundedMinor = 0): PaymentEvent => ({
    id: `evt_${type}`, type, createdAt: at, providerPaymentId: order.payment.providerPaymentId, orderId: null, amountMinor: total, amountReceivedMinor: total, amountRefundedMinor, failureReason: null,
  });
  const applyProviderFact = (event: PaymentEvent, at: Date, refundMinor = 0) => {
    const decision = decide(record(), event);
    if (decision.kind !== 'apply') return;
    if (decision.to) move(decision.to, at);
    order.payment.status = decision.paymentStatus;
    if (decision.refundedMinor !== undefined) order.payment.refundedMinor = decision.refundedMinor;
    touch(at);
    if (decision.publish === 'order.paid') events.push(ORDER_EVENTS.paid(record(), null));
    if (decision.publish === 'order.refunded') events.push(ORDER_EVENTS.refunded(record(), null, refundMinor));
  };
  const refund = (amountMinor: number, at: Date) => {
    const left = order.payment.amountMinor - order.payment.refundedMinor;
    if (!['succeeded', 'partially_refunded'].includes(order.payment.status) || left <= 0) return;
    const amount = Math.min(amountMinor, left);
    order.payment.refunds.push({ providerRefundId: `re_${order.payment.refunds.length}`, amountMinor: amount, at, idempotencyKey: `refund:${_id.toHexString()}:${order.payment.refunds.length}` });
    applyProviderFact(providerEvent('charge.refunded', at, order.payment.refundedMinor + amount), at, amount);
  };
  const change = (to: OrderStatus, at: Date) => {
    if (!canTransition(order.status, to)) return;
    move(to, at);
    touch(at);
    events.push(ORDER_EVENTS.statusChanged(record(), null));
  };
  for (const step of steps) {
    if (step.kind === 'pay') applyProviderFact(providerEvent('payment_intent.succeeded', step.at), step.at);
    else if (step.kind === 'refund') refund(step.amountMinor, step.at);
    else if (step.kind === 'cancel') {
      if (!CANCELLABLE_STATUSES.includes(order.status)) continue;
      refund(order.payment.amountMinor, step.at);
      change('cancelled', step.at);
    } else change(step.kind === 'ship' ? 'shipped' : 'delivered', step.at);
  }
  await Order.collection.insertOne(snapshot());
  return { id: _id.toHexString(), events: events.map(({ id, type, payload }) => ({ id, type, payload })) };
}

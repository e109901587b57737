// Orders straight through the model with chosen status-change times, for the analytics tests.
import { Types } from 'mongoose';
import { Order } from '../support/models';

export interface FixtureLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
}

export interface FixtureChange {
  readonly status: 'paid' | 'shipped' | 'delivered' | 'cancelled';
  readonly at: Date;
}

/** Inserts a placed order (pending at `placedAt`) followed by `changes`, like the lifecycle leaves it. */
export async function insertOrder(account: Types.ObjectId, lines: readonly FixtureLine[], placedAt: Date, changes: readonly FixtureChange[] = []): Promise<string> {
  const items = lines.map((l, i) => ({
    product: new Types.ObjectId(l.productId),
    name: `Line ${i}`,
    sku: `SKU-${i}`,
    unitPriceMinor: l.unitPriceMinor,
    quantity: l.quantity,
    lineTotalMinor: l.unitPriceMinor * l.quantity,
  }));
  const total = items.reduce((n, i) => n + i.lineTotalMinor, 0);
  const history = [{ status: 'pending', at: placedAt, by: null }, ...changes.map((c) => ({ status: c.status, at: c.at, by: null }))];
  const _id = new Types.ObjectId();
  await Order.collection.insertOne({
    _id,
    account,
    items,
    subtotalMinor: total,
    totalMinor: total,
    currency: 'USD',
    status: history.at(-1)!.status,
    statusHistory: history,
    shippingAddress: { fullName: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' },
    version: history.length,
    createdAt: placedAt,
    updatedAt: history.at(-1)!.at,
  });
  return _id.toHexString();
}

/** The outbox events the order service records for these changes (same ids and payloads). */
export function eventsFor(orderId: string, changes: readonly FixtureChange[]) {
  return changes.map((c) =>
    c.status === 'cancelled'
      ? { id: `order-cancelled:${orderId}`, type: 'order-cancelled', payload: { to: null, orderId, status: 'cancelled' } }
      : { id: `order-status-changed:${orderId}:${c.status}`, type: 'order-status-changed', payload: { to: null, orderId, status: c.status } },
  );
}

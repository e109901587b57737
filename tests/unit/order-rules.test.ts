// Pure order rules: the state machine, totals and the validate hook, list planning and cursors.
import { Types } from 'mongoose';
import { computeTotals } from '../../src/models/Order';
import { Order } from '../support/models';
import { canTransition, sourcesOf } from '../../src/services/orders/lifecycle';
import { decodeCursor, encodeCursor, parseSort } from '../../src/services/listing/listing';
import { buildOrderFilter, ORDER_SORT, planOrderList } from '../../src/services/orders/query';
import { createStaleOrderSweep, staleSweepEveryMs } from '../../src/services/orders/sweep';

const SECRET = 'unit-secret';
const customer = { id: new Types.ObjectId().toHexString(), isStaff: false };
const staff = { id: new Types.ObjectId().toHexString(), isStaff: true };

describe('order lifecycle', () => {
  it('when moving forward one step or cancelling before shipping, then it is allowed', () => {
    expect(canTransition('pending', 'paid')).toBe(true);
    expect(canTransition('paid', 'shipped')).toBe(true);
    expect(canTransition('shipped', 'delivered')).toBe(true);
    expect(canTransition('pending', 'cancelled')).toBe(true);
    expect(canTransition('paid', 'cancelled')).toBe(true);
  });

  it('when skipping, going back, or leaving a final state, then it is refused', () => {
    expect(canTransition('pending', 'shipped')).toBe(false);
    expect(canTransition('paid', 'pending')).toBe(false);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    expect(canTransition('delivered', 'cancelled')).toBe(false);
    expect(canTransition('cancelled', 'pending')).toBe(false);
  });

  it('when asking which states lead to a status, then the inverse of the table is returned', () => {
    // payment_failed is terminal: the decline gave its stock back, so nothing can cancel (and restock) it again.
    expect(sourcesOf('cancelled')).toEqual(['pending', 'awaiting_payment', 'paid', 'partially_refunded', 'refunded']);
    expect(sourcesOf('pending')).toEqual([]);
  });
});

describe('order totals', () => {
  it('when lines are given, then line totals and the total are integer products and sums', () => {
    expect(computeTotals([{ unitPriceMinor: 1999, quantity: 3 }, { unitPriceMinor: 10, quantity: 7 }])).toEqual({ lines: [5997, 70], subtotalMinor: 6067, totalMinor: 6067 });
  });

  it('when a document carries client-made totals, then validation replaces them with computed ones', async () => {
    const order = new Order({
      account: new Types.ObjectId(),
      items: [{ product: new Types.ObjectId(), name: 'A', sku: 'A-1', unitPriceMinor: 250, quantity: 4, lineTotalMinor: 1 }],
      subtotalMinor: 1,
      totalMinor: 1,
      currency: 'USD',
      shippingAddress: { fullName: 'A', line1: 'B', city: 'C', postalCode: '12345', country: 'GB' },
    });
    await order.validate();
    expect(order.items[0].lineTotalMinor).toBe(1000);
    expect([order.subtotalMinor, order.totalMinor]).toEqual([1000, 1000]);
    expect(order.get('itemCount')).toBe(4);
    expect(order.get('isCancellable')).toBe(true);
  });

  it('when an order has no items or a fractional quantity, then validation fails', async () => {
    const base = { account: new Types.ObjectId(), currency: 'USD', shippingAddress: { fullName: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'GB' } };
    await expect(new Order({ ...base, items: [] }).validate()).rejects.toThrow(/at least one item/);
    await expect(new Order({ ...base, items: [{ product: new Types.ObjectId(), name: 'A', sku: 'A', unitPriceMinor: 1, quantity: 1.5 }] }).validate()).rejects.toThrow(/integer/);
  });
});

describe('order list planning', () => {
  it('when a customer lists, then the filter is pinned to their account', () => {
    expect(buildOrderFilter({ status: 'paid' }, customer)).toEqual({ account: new Types.ObjectId(customer.id), status: 'paid' });
  });

  it("when a customer asks for another account, then it is forbidden rather than ignored", () => {
    expect(() => buildOrderFilter({ account: staff.id }, customer)).toThrow(/only their own/);
  });

  it('when staff filter by range, then dates are half-open and totals are inclusive minor units', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-02-01T00:00:00Z');
    expect(buildOrderFilter({ from, to, minTotal: 10.5, maxTotal: 20 }, staff)).toEqual({ createdAt: { $gte: from, $lt: to }, totalMinor: { $gte: 1050, $lte: 2000 } });
  });

  it('when no sort is given, then newest first with _id as the tie-break (the compound index order)', () => {
    expect(planOrderList({}, staff, SECRET).sort).toEqual({ createdAt: -1, _id: -1 });
    expect(planOrderList({ sort: 'total:asc' }, staff, SECRET).sort).toEqual({ totalMinor: 1, _id: 1 });
  });

  it('when a cursor is given, then the keyset condition continues strictly after it', () => {
    const id = new Types.ObjectId();
    const at = new Date('2026-01-05T10:00:00Z');
    const cursor = encodeCursor(parseSort('createdAt:desc', ORDER_SORT), [at, id], SECRET);
    const plan = planOrderList({ cursor }, staff, SECRET);
    expect(plan.filter).toEqual({ $and: [{ $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: id } }] }] });
    expect(plan.page).toEqual({ kind: 'cursor', limit: 20, after: [at, id] });
  });

  it('when a cursor is edited, issued for another sort or combined with page, then it is rejected', () => {
    const byTotal = parseSort('total:desc', ORDER_SORT);
    const cursor = encodeCursor(byTotal, [1000, new Types.ObjectId()], SECRET);
    const [body, mac] = cursor.split('.');
    const forged = `${Buffer.from(Buffer.from(body, 'base64url').toString().replace('1000', '1')).toString('base64url')}.${mac}`;
    expect(() => decodeCursor(forged, byTotal, ORDER_SORT, SECRET)).toThrow();
    expect(() => decodeCursor(cursor, parseSort('createdAt:desc', ORDER_SORT), ORDER_SORT, SECRET)).toThrow();
    expect(() => decodeCursor(cursor, byTotal, ORDER_SORT, 'other-secret')).toThrow();
    expect(() => planOrderList({ sort: 'total:desc', cursor, page: 2 }, staff, SECRET)).toThrow();
    expect(decodeCursor(cursor, byTotal, ORDER_SORT, SECRET)[0]).toBe(1000);
  });
});

describe('stale order sweep task', () => {
  it('when it runs, then it cancels orders older than the configured window', async () => {
    const calls: Date[] = [];
    const sweep = createStaleOrderSweep({ cancelStalePending: async (olderThan) => (calls.push(olderThan), { cancelled: ['a', 'b'] }) }, 60, () => new Date('2026-03-01T12:00:00Z'));
    expect(await sweep()).toEqual({ cancelled: 2, olderThan: '2026-03-01T11:00:00.000Z' });
    expect(calls).toEqual([new Date('2026-03-01T11:00:00Z')]);
  });

  it('when the window is short or long, then the interval is a quarter of it but at least a minute', () => {
    expect(staleSweepEveryMs(60)).toBe(15 * 60_000);
    expect(staleSweepEveryMs(2)).toBe(60_000);
  });
});

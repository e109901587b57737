// What refunds contribute to the hourly sales rollups (contribution.ts): money per refund record in
// the hour of its own `at`, units at the full refund or cancel, and no money counted twice.
import { Types } from 'mongoose';
import { contributionOf, countedRefunds, factOfEvent, refundContribution, refundFactKey, residualOf, type ContributionOrder } from '../../src/services/analytics/contribution';

const product = new Types.ObjectId();
const at = (iso: string) => new Date(`2026-03-28T${iso}:00.000Z`);
const ctx = { categoryOf: () => 'phones', isFirstPaidOrder: false };

function order(statuses: [string, string][], refunds: [string, number][] | null): ContributionOrder {
  return {
    _id: new Types.ObjectId(),
    account: new Types.ObjectId(),
    items: [{ product, variant: new Types.ObjectId(), name: 'P', sku: 'P-1', unitPriceMinor: 1000, quantity: 3, lineTotalMinor: 3000 }],
    totalMinor: 3000,
    statusHistory: statuses.map(([status, time]) => ({ status, at: at(time), by: null })),
    ...(refunds && { payment: { refunds: refunds.map(([time, amountMinor], i) => ({ providerRefundId: `re_${i}`, amountMinor, at: at(time) })) } }),
  } as unknown as ContributionOrder;
}

describe('refund contributions', () => {
  it('when a delivered order is refunded in part, then the refund counts its amount in its own hour and no units leave', () => {
    const returned = order([['awaiting_payment', '08:00'], ['paid', '08:10'], ['shipped', '09:00'], ['delivered', '12:00']], [['15:42', 700]]);
    expect(countedRefunds(returned).map(refundContribution)).toEqual([
      { hour: at('15:00'), orders: 0, units: 0, grossMinor: 0, refundsMinor: 700, netMinor: -700, newCustomers: 0, products: {}, categories: {} },
    ]);
    expect(contributionOf(returned, 'delivered', ctx)).toBeNull();
  });

  it('when a checkout order is refunded in full through refund records, then the refunded change moves units and per-product figures but no money', () => {
    const refunded = order([['awaiting_payment', '08:00'], ['paid', '08:10'], ['partially_refunded', '09:30'], ['refunded', '11:05']], [['09:30', 1000], ['11:05', 2000]]);
    expect(residualOf(refunded)).toBe(0);
    expect(contributionOf(refunded, 'refunded', ctx)).toMatchObject({ hour: at('11:00'), units: 0, refundsMinor: 0, netMinor: 0, products: { [String(product)]: { units: -3, revenueMinor: -3000 } } });
    // Cancelled after the full refund: nothing more.
    expect(contributionOf(order([['paid', '08:10'], ['refunded', '11:05'], ['cancelled', '11:06']], [['11:05', 3000]]), 'cancelled', ctx)).toBeNull();
  });

  it('when a staff order paid out of band is cancelled, then its cancel takes its whole total out', () => {
    const staff = order([['pending', '08:00'], ['paid', '08:10'], ['cancelled', '10:20']], null);
    expect(contributionOf(staff, 'cancelled', ctx)).toMatchObject({ hour: at('10:00'), refundsMinor: 3000, netMinor: -3000, products: { [String(product)]: { units: -3 } } });
  });

  it('when a full refund is folded before its refund record exists (the provider\'s event first), then the refunded change moves the same figures as after — no money, the record counts it once', () => {
    const statuses: [string, string][] = [['awaiting_payment', '08:00'], ['paid', '08:10'], ['refunded', '11:05']];
    const early = contributionOf(order(statuses, []), 'refunded', ctx);
    const late = contributionOf(order(statuses, [['11:05', 3000]]), 'refunded', ctx);
    expect(early).toEqual(late);
    expect(early).toMatchObject({ refundsMinor: 0, netMinor: 0, products: { [String(product)]: { units: -3, revenueMinor: -3000 } } });
  });

  it('when money that arrived after a cancel is refunded, then the refund counts nothing (no sale was counted)', () => {
    const late = order([['awaiting_payment', '08:00'], ['cancelled', '08:30']], [['09:00', 3000]]);
    expect(countedRefunds(late)).toEqual([]);
  });

  it('when a refund event arrives, then it reports the refunds of its order (partial) and the refunded change only when in full', () => {
    expect(factOfEvent('order-refunded', { orderId: 'o1', fullyRefunded: false })).toEqual({ orderId: 'o1', status: null, refunds: true });
    expect(factOfEvent('order-refunded', { orderId: 'o1', fullyRefunded: true })).toEqual({ orderId: 'o1', status: 'refunded', refunds: true });
    expect(refundFactKey('o1', 're_1')).not.toBe(refundFactKey('o1', 're_2'));
  });
});
